import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { psfsToKernelsTensor } from "../../src/e2e/kernel-tensor.js";
import { initEngine } from "../../src/engine/backend.js";
import { psfsToKernels } from "../../src/optics/kernels.js";
import { PlaneStack } from "../../src/optics/plane-stack.js";
import { seededUniform as seeded } from "../seeded.js";

before(async () => {
  await initEngine();
});


const shape = { kernelSize: 7, inChannels: 3, outChannels: 2 };
const B = 12;

describe("psfsToKernelsTensor", () => {
  for (const M of [14, 15]) {
    test(`kernel-crop equals the typed-array psfsToKernels (window ${M})`, () => {
      const psfs = seeded(B * M * M, 11);
      const scales = seeded(B, 5);
      const expected = psfsToKernels(new PlaneStack(psfs, { count: B, size: M }), scales, shape);
      const got = psfsToKernelsTensor(tf.tensor3d(psfs, [B, M, M]), tf.tensor1d(scales), shape, "kernel-crop");
      assert.deepEqual(got.shape, [7, 7, 3, 2]);
      const values = got.dataSync();
      for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(values[i] - expected[i]) < 1e-6, `weight ${i}: ${values[i]} vs ${expected[i]}`);
    });
  }

  test("fit-window keeps the whole window around the same centre; its central k x k is the crop", () => {
    const M = 14;
    const psfs = seeded(B * M * M, 3);
    const scales = seeded(B, 9);
    const window = psfsToKernelsTensor(tf.tensor3d(psfs, [B, M, M]), tf.tensor1d(scales), shape, "fit-window");
    assert.deepEqual(window.shape, [15, 15, 3, 2]);
    const centre = tf.slice(window, [4, 4, 0, 0], [7, 7, 3, 2]).dataSync();
    const crop = psfsToKernels(new PlaneStack(psfs, { count: B, size: M }), scales, shape);
    for (let i = 0; i < crop.length; i++) assert.ok(Math.abs(centre[i] - crop[i]) < 1e-6, `weight ${i}`);
    // Hand-computed: the window's pixel (0, 0) of metasurface 0 (sign +, out 0, in 0) lands at kernel
    // (14 - 0, 14 - 0) after the flip, scaled by s0; the padded last row/column flips to row/column 0.
    const full = window.arraySync() as number[][][][];
    const negativeTwin = 6; // (sign 1, out 0, in 0)
    assert.ok(Math.abs(full[14][14][0][0] - (scales[0] * psfs[0] - scales[negativeTwin] * psfs[negativeTwin * M * M])) < 1e-6);
    for (let j = 0; j < 15; j++) assert.equal(full[0][j][1][1], 0);
  });

  test("gradients match central finite differences (PSFs and scales)", () => {
    const M = 14;
    const psfs = Float64Array.from(seeded(B * M * M, 21));
    const scales = Float64Array.from(seeded(B, 8));
    const probe = tf.tensor4d(seeded(15 * 15 * 3 * 2, 4).map((v) => v - 0.5), [15, 15, 3, 2]);
    const loss = (p: tf.Tensor3D, s: tf.Tensor1D) => tf.sum(tf.mul(tf.square(psfsToKernelsTensor(p, s, shape, "fit-window")), probe)) as tf.Scalar;
    const [gradPsfs, gradScales] = tf.grads((p: tf.Tensor, s: tf.Tensor) => loss(p as tf.Tensor3D, s as tf.Tensor1D))([tf.tensor3d(Float32Array.from(psfs), [B, M, M]), tf.tensor1d(Float32Array.from(scales))]);
    const gp = gradPsfs.dataSync();
    const gs = gradScales.dataSync();
    const h = 1e-2;
    const numeric = (values: Float64Array, i: number, evaluate: () => number) => {
      const keep = values[i];
      values[i] = keep + h;
      const plus = evaluate();
      values[i] = keep - h;
      const minus = evaluate();
      values[i] = keep;
      return (plus - minus) / (2 * h);
    };
    const evaluate = () => loss(tf.tensor3d(Float32Array.from(psfs), [B, M, M]), tf.tensor1d(Float32Array.from(scales))).dataSync()[0];
    // Quadratic in each input: central differences are exact up to float32 rounding.
    for (const i of [0, 17, 7 * M + 7, 5 * M * M + 3 * M + 9, B * M * M - 1]) {
      const expected = numeric(psfs, i, evaluate);
      assert.ok(Math.abs(gp[i] - expected) < 2e-3 * Math.max(1, Math.abs(expected)), `dL/dpsf[${i}]: ${gp[i]} vs ${expected}`);
    }
    for (const i of [0, 5, 11]) {
      const expected = numeric(scales, i, evaluate);
      assert.ok(Math.abs(gs[i] - expected) < 2e-3 * Math.max(1, Math.abs(expected)), `dL/dscale[${i}]: ${gs[i]} vs ${expected}`);
    }
  });

  test("rejects a bank of the wrong size, naming the field", () => {
    assert.throws(() => psfsToKernelsTensor(tf.zeros([10, 14, 14]) as tf.Tensor3D, tf.zeros([10]) as tf.Tensor1D, shape, "kernel-crop"), /psfs: expected \[12, M, M\]/);
  });
});
