// The native convolution's row products (src/engine/native/src/conv_by_rows.cc), which replace oneDNN's
// reference kernel, against direct loops in float64: strides, uneven and oversized padding (output rows
// that see only padding), filters wider than the image, bias and activations; and the conv2d kernel
// at the sensor formation's shape (127 x 127 filters over a 64 x 64 image), whichever kernel it runs.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { addonSkip, nativeAddon } from "./addon-under-test.js";
import { engineUnderTest, pseudoRandom } from "./compare.js";

process.env.OPTOCNN_QUIET ??= "1";

interface Geometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
}

const outHeight = (g: Geometry) => Math.floor((g.inHeight + g.padTop + g.padBottom - g.filterHeight) / g.strideHeight) + 1;
const outWidth = (g: Geometry) => Math.floor((g.inWidth + g.padLeft + g.padRight - g.filterWidth) / g.strideWidth) + 1;

function shapeFields(g: Geometry): Int32Array {
  return Int32Array.of(g.batch, g.inHeight, g.inWidth, g.inChannels, g.outChannels, g.filterHeight, g.filterWidth, outHeight(g), outWidth(g),
    g.strideHeight, g.strideWidth, 1, 1, g.padTop, g.padLeft, g.padBottom, g.padRight);
}

const ACTIVATIONS = [(v: number) => v, (v: number) => Math.max(0, v), (v: number) => (v > 0 ? v : Math.expm1(v))];

/** y[n, oy, ox, o] of act(conv + bias) by direct sums (NHWC x, HWIO filter). */
function directOutput(g: Geometry, x: Float32Array, filter: Float32Array, bias: Float32Array | null, activation: number, n: number, oy: number, ox: number, o: number): number {
  let sum = bias ? bias[o] : 0;
  for (let ky = 0; ky < g.filterHeight; ky++) {
    const iy = oy * g.strideHeight - g.padTop + ky;
    if (iy < 0 || iy >= g.inHeight) continue;
    for (let kx = 0; kx < g.filterWidth; kx++) {
      const ix = ox * g.strideWidth - g.padLeft + kx;
      if (ix < 0 || ix >= g.inWidth) continue;
      for (let c = 0; c < g.inChannels; c++) {
        sum += x[((n * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + c] * filter[((ky * g.filterWidth + kx) * g.inChannels + c) * g.outChannels + o];
      }
    }
  }
  return ACTIVATIONS[activation](sum);
}

/** Runs conv2dByRows on seeded operands laid out in one heap; returns the operands and y. */
function byRows(g: Geometry, withBias: boolean, activation: number) {
  const x = pseudoRandom(g.batch * g.inHeight * g.inWidth * g.inChannels, 1);
  const filter = pseudoRandom(g.filterHeight * g.filterWidth * g.inChannels * g.outChannels, 2);
  const bias = withBias ? pseudoRandom(g.outChannels, 3) : null;
  const yLength = g.batch * outHeight(g) * outWidth(g) * g.outChannels;
  const heap = new Float32Array(x.length + filter.length + g.outChannels + yLength).fill(Number.NaN);
  heap.set(x, 0);
  heap.set(filter, x.length);
  if (bias) heap.set(bias, x.length + filter.length);
  const yAt = x.length + filter.length + g.outChannels;
  const bytes = new Uint8Array(heap.buffer);
  nativeAddon().conv2dByRows(bytes, shapeFields(g), 0, 4 * x.length, bias ? 4 * (x.length + filter.length) : -1, 4 * yAt, activation);
  return { x, filter, bias, y: heap.subarray(yAt) };
}

const base = { batch: 2, inChannels: 3, outChannels: 5, strideHeight: 1, strideWidth: 1 };
const CASES: Array<{ name: string; geometry: Geometry; bias: boolean; activation: number }> = [
  { name: "7x7 stride 2, 'same' padding", geometry: { ...base, inHeight: 15, inWidth: 13, filterHeight: 7, filterWidth: 7, strideHeight: 2, strideWidth: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3 }, bias: false, activation: 0 },
  { name: "filter wider than the image, unequal strides", geometry: { ...base, inHeight: 9, inWidth: 7, filterHeight: 17, filterWidth: 13, strideHeight: 2, strideWidth: 3, padTop: 8, padLeft: 6, padBottom: 8, padRight: 6 }, bias: true, activation: 1 },
  { name: "uneven padding, non-square filter, ELU", geometry: { ...base, inHeight: 8, inWidth: 10, filterHeight: 4, filterWidth: 6, padTop: 1, padLeft: 3, padBottom: 2, padRight: 2 }, bias: true, activation: 2 },
  { name: "no padding", geometry: { ...base, inHeight: 9, inWidth: 9, filterHeight: 3, filterWidth: 5, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0 }, bias: false, activation: 0 },
  // Rows 0-2 and the last rows see only padding: bias and activation alone.
  { name: "padding wider than the filter", geometry: { ...base, inHeight: 5, inWidth: 6, filterHeight: 2, filterWidth: 3, padTop: 4, padLeft: 4, padBottom: 3, padRight: 1 }, bias: true, activation: 2 },
];

for (const c of CASES) {
  test(`conv2dByRows matches direct sums: ${c.name}`, { skip: addonSkip() }, () => {
    const g = c.geometry;
    const { x, filter, bias, y } = byRows(g, c.bias, c.activation);
    const oh = outHeight(g), ow = outWidth(g);
    let at = 0;
    for (let n = 0; n < g.batch; n++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          for (let o = 0; o < g.outChannels; o++, at++) {
            const expected = directOutput(g, x, filter, bias, c.activation, n, oy, ox, o);
            assert.ok(Math.abs(y[at] - expected) <= 1e-5 * (1 + Math.abs(expected)), `y[${n}, ${oy}, ${ox}, ${o}] = ${y[at]}, expected ${expected}`);
          }
        }
      }
    }
  });
}

test("conv2d at the sensor formation's shape (127 x 127 filters, 64 x 64 image, stride 2) matches direct sums", async (t) => {
  const { nativeSkip } = await engineUnderTest();
  if (nativeSkip) return t.skip(nativeSkip);
  const g: Geometry = { batch: 2, inHeight: 64, inWidth: 64, inChannels: 3, outChannels: 4, filterHeight: 127, filterWidth: 127, strideHeight: 2, strideWidth: 2, padTop: 62, padLeft: 62, padBottom: 63, padRight: 63 };
  t.diagnostic(`conv2d runs ${nativeAddon().conv2dImplementation(shapeFields(g), 0, 0)}`);
  const x = pseudoRandom(g.batch * 64 * 64 * 3, 4);
  const filter = pseudoRandom(127 * 127 * 3 * 4, 5);
  const y = tf.tidy(() => tf.conv2d(tf.tensor4d(x, [2, 64, 64, 3]), tf.tensor4d(filter, [127, 127, 3, 4]), 2, "same"));
  assert.deepEqual(y.shape, [2, 32, 32, 4]);
  const values = await y.data();
  y.dispose();
  // Corners, edges and the centre of both images, every output channel.
  for (const n of [0, 1]) {
    for (const oy of [0, 1, 16, 30, 31]) {
      for (const ox of [0, 15, 31]) {
        for (let o = 0; o < 4; o++) {
          const expected = directOutput(g, x, filter, null, 0, n, oy, ox, o);
          const actual = values[((n * 32 + oy) * 32 + ox) * 4 + o];
          assert.ok(Math.abs(actual - expected) <= 1e-4 * (1 + Math.abs(expected)), `y[${n}, ${oy}, ${ox}, ${o}] = ${actual}, expected ${expected}`);
        }
      }
    }
  }
});
