// optocnn's fused training ops (FusedConv2D gradient, activation and bias gradient, Adam update, decoder join) against independent
// references: the unfused tfjs composition on the cpu backend, and hand-computed Adam values.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { adamUpdate, adamUpdateInPlace } from "../../src/engine/adam-update.js";
import { conv2dBiasActivation } from "../../src/engine/fused-conv.js";
import { activationBiasGrad } from "../../src/engine/activation-bias-grad.js";
import { upsampleConcat } from "../../src/engine/upsample-concat.js";
import { assertMatchesCpu, engineUnderTest, operand, pseudoRandom, runOn } from "../native/compare.js";
import { assertClose } from "./backend-compare.js";

process.env.OPTOCNN_QUIET ??= "1";

/** Each output of `actual` within `tolerance` times the largest |value| of its reference. */
function assertOutputsClose(actual: Float32Array[], expected: Float32Array[], label: string, tolerance: number): void {
  actual.forEach((a, k) => assertClose(a, expected[k], `${label} output ${k}`, tolerance, 0));
}

const CONV_CASES = [
  { name: "3x3 s1 same, relu", x: [2, 9, 7, 5], filter: [3, 3, 5, 6], strides: 1, pad: "same", activation: "relu" },
  { name: "3x3 s2 same, odd size, relu", x: [2, 11, 9, 8], filter: [3, 3, 8, 16], strides: 2, pad: "same", activation: "relu" },
  { name: "3x3 s1 same, elu (the depth net's decoder)", x: [2, 10, 7, 12], filter: [3, 3, 12, 8], strides: 1, pad: "same", activation: "elu" },
  { name: "1x1 head, linear", x: [2, 8, 8, 16], filter: [1, 1, 16, 1], strides: 1, pad: "same", activation: "linear" },
  { name: "5x5 s2 valid, relu", x: [1, 13, 13, 3], filter: [5, 5, 3, 8], strides: 2, pad: "valid", activation: "relu" },
] as const;

for (const c of CONV_CASES) {
  test(`conv2dBiasActivation ${c.name}: value and gradients equal the unfused composition on cpu`, async () => {
    const { engine } = await engineUnderTest();
    const outShape = tf.tidy(() => tf.conv2d(tf.zeros([...c.x]) as tf.Tensor4D, tf.zeros([...c.filter]) as tf.Tensor4D, c.strides, c.pad).shape);
    const inputs = [operand([...c.x], 1), operand([...c.filter], 2), operand([c.filter[3]], 3), operand(outShape, 4)];
    const options = { strides: c.strides, pad: c.pad, activation: c.activation };
    const fused = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, probe: tf.Tensor) => {
      const f = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) =>
        tf.sum(tf.mul(conv2dBiasActivation(xv as tf.Tensor4D, wv as tf.Tensor4D, bv as tf.Tensor1D, options), probe));
      return [conv2dBiasActivation(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, options), ...tf.grads(f)([x, w, b])];
    };
    const unfused = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, probe: tf.Tensor) => {
      const layer = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) => {
        const z = tf.add(tf.conv2d(xv as tf.Tensor4D, wv as tf.Tensor4D, c.strides, c.pad), bv);
        return c.activation === "relu" ? tf.relu(z) : c.activation === "elu" ? tf.elu(z) : z;
      };
      return [layer(x, w, b), ...tf.grads((xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) => tf.sum(tf.mul(layer(xv, wv, bv), probe)))([x, w, b])];
    };
    const actual = await runOn(engine.backend, inputs, fused);
    const expected = await runOn("cpu", inputs, unfused);
    await tf.setBackend(engine.backend);
    assertOutputsClose(actual, expected, `${c.name} on ${engine.engine}`, 2e-5);
  });
}

test("the FusedConv2D gradient skips the input gradient when only weights need one", async () => {
  await engineUnderTest();
  const x = tf.tensor(pseudoRandom(2 * 8 * 8 * 3, 5), [2, 8, 8, 3]) as tf.Tensor4D;
  const w = tf.variable(tf.tensor(pseudoRandom(3 * 3 * 3 * 4, 6), [3, 3, 3, 4]));
  const b = tf.variable(tf.zeros([4]));
  const loss = () => tf.sum(conv2dBiasActivation(x, w as unknown as tf.Tensor4D, b as unknown as tf.Tensor1D, { pad: "same", activation: "relu" })) as tf.Scalar;
  const profile = await tf.profile(() => {
    const { grads } = tf.variableGrads(loss, [w, b]);
    assert.deepEqual(Object.keys(grads).sort(), [w.name, b.name].sort());
    tf.dispose(Object.values(grads));
  });
  const kernels = profile.kernels.map((k) => k.name);
  assert.ok(kernels.includes("Conv2DBackpropFilter"), `filter gradient computed: ${kernels.join(", ")}`);
  assert.ok(!kernels.includes("Conv2DBackpropInput"), `no input gradient for the image: ${kernels.join(", ")}`);
  tf.dispose([x, w, b]);
});

test("activationBiasGrad (relu) masks dy where y <= 0, sums it per channel, and propagates NaN, on activation-sized tensors", async () => {
  const dy = operand([8, 64, 64, 16], 7);
  const y = operand([8, 64, 64, 16], 8);
  y.values[6] = 0;
  // Reference on cpu: tfjs' own Relu gradient (a different composition from the fallback's dy * step(y)).
  const reference = (a: tf.Tensor, b: tf.Tensor) => {
    const dz = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.relu(z), a)))(b);
    return [dz, tf.sum(dz, [0, 1, 2])];
  };
  const { engine } = await engineUnderTest();
  const actual = await runOn(engine.backend, [dy, y], (a, b) => {
    const { dz, dbias } = activationBiasGrad(a, b, "relu");
    return [dz, dbias];
  });
  const expected = await runOn("cpu", [dy, y], reference);
  await tf.setBackend(engine.backend);
  assertOutputsClose(actual.slice(0, 1), expected.slice(0, 1), "dz", 0);
  assertOutputsClose(actual.slice(1), expected.slice(1), "dbias", 1e-5);
  y.values[5] = NaN;
  const out = tf.tidy(() => activationBiasGrad(tf.tensor(dy.values, dy.shape), tf.tensor(y.values, y.shape), "relu").dz.dataSync());
  assert.ok(Number.isNaN(out[5]), "NaN in y propagates");
  assert.equal(out[6], 0, "y = 0 is masked");
  const i = y.values.findIndex((v) => v > 0);
  assert.equal(out[i], dy.values[i], "y > 0 passes dy through");
});

test("activationBiasGrad (elu) equals tfjs' own Elu gradient and its sum, with NaN propagating", async () => {
  const dy = operand([4, 32, 32, 24], 17);
  const y = operand([4, 32, 32, 24], 18);
  y.values[3] = 0;
  y.values[7] = NaN;
  // Reference on cpu: the gradient tfjs' elu op records (EluGrad from the output).
  const reference = (a: tf.Tensor, b: tf.Tensor) => {
    const dz = tf.engine().runKernel(tf.EluGrad, { dy: a, y: b }) as tf.Tensor;
    return [dz, tf.sum(dz, [0, 1, 2])];
  };
  const { engine } = await engineUnderTest();
  const actual = await runOn(engine.backend, [dy, y], (a, b) => {
    const { dz, dbias } = activationBiasGrad(a, b, "elu");
    return [dz, dbias];
  });
  const expected = await runOn("cpu", [dy, y], reference);
  await tf.setBackend(engine.backend);
  assert.ok(Number.isNaN(actual[0][7]) && Number.isNaN(expected[0][7]), "NaN in y propagates");
  assert.equal(actual[0][3], dy.values[3], "y = 0 passes dy through");
  actual[0][7] = expected[0][7] = 0;
  assertOutputsClose(actual.slice(0, 1), expected.slice(0, 1), "dz", 1e-6);
  // The NaN makes one channel's bias gradient NaN in both; compare the others.
  assert.ok(Number.isNaN(actual[1][7]) && Number.isNaN(expected[1][7]), "NaN reaches the bias gradient");
  actual[1][7] = expected[1][7] = 0;
  assertOutputsClose(actual.slice(1), expected.slice(1), "dbias", 1e-5);
});

test("adamUpdate equals hand-computed Adam(W) values", async () => {
  const { engine } = await engineUnderTest();
  await tf.setBackend(engine.backend);
  const step = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, stepSize: 0.01, decay: 0.001 };
  const w = [1, -2, 0.5], m = [0.1, 0, -0.2], v = [0.01, 0, 0.04], g = [0.5, -1, 0];
  const [wOut, mOut, vOut] = tf.tidy(() => adamUpdate(tf.tensor(w), tf.tensor(m), tf.tensor(v), tf.tensor(g), step).map((t) => Array.from(t.dataSync())));
  for (let i = 0; i < 3; i++) {
    const mi = 0.9 * m[i] + 0.1 * g[i];
    const vi = 0.999 * v[i] + 0.001 * g[i] * g[i];
    const wi = w[i] - (0.01 * mi) / (Math.sqrt(vi) + 1e-8) - 0.001 * w[i];
    assert.ok(Math.abs(mOut[i] - mi) <= 1e-6 * Math.max(1, Math.abs(mi)), `m[${i}] ${mOut[i]} vs ${mi}`);
    assert.ok(Math.abs(vOut[i] - vi) <= 1e-6 * Math.max(1, Math.abs(vi)), `v[${i}] ${vOut[i]} vs ${vi}`);
    assert.ok(Math.abs(wOut[i] - wi) <= 1e-6 * Math.max(1, Math.abs(wi)), `w[${i}] ${wOut[i]} vs ${wi}`);
  }
});

test("adamUpdate on a large tensor (threaded) matches the composed update on cpu", async () => {
  const shape = [3, 3, 64, 64];
  const moments = operand(shape, 12);
  moments.values.forEach((x, i) => (moments.values[i] = Math.abs(x)));
  await assertMatchesCpu(
    "adamUpdate",
    [operand(shape, 10), operand(shape, 11), moments, operand(shape, 13)],
    (w, m, v, g) => adamUpdate(w, m, v, g, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, stepSize: 1e-3, decay: 1e-5 }),
    1e-5,
  );
});

test("upsampleConcat: value and both gradients equal a direct index computation (odd channel counts, batch 2)", async () => {
  // A direct reference, not resize + concat on cpu: tfjs' cpu ResizeNearestNeighborGrad mixes up images
  // after the first of a batch (tfjs 4.22).
  const { engine } = await engineUnderTest();
  const [batch, height, width, lowC, skipC] = [2, 3, 5, 7, 3];
  const outC = lowC + skipC;
  const [low, skip, probe] = [operand([batch, height, width, lowC], 14), operand([batch, 2 * height, 2 * width, skipC], 15), operand([batch, 2 * height, 2 * width, outC], 16)];
  const [value, dlow, dskip] = await runOn(engine.backend, [low, skip, probe], (l, s, p) => {
    const join = (a: tf.Tensor, b: tf.Tensor) => upsampleConcat(a as tf.Tensor4D, b as tf.Tensor4D);
    return [join(l, s), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(join(a, b), p)))([l, s])];
  });
  await tf.setBackend(engine.backend);
  const expectedValue = new Float32Array(value.length);
  const expectedDlow = new Float32Array(dlow.length);
  const expectedDskip = new Float32Array(dskip.length);
  for (let n = 0; n < batch; n++) {
    for (let r = 0; r < 2 * height; r++) {
      for (let c = 0; c < 2 * width; c++) {
        const pixel = (n * 2 * height + r) * 2 * width + c;
        const lowPixel = (n * height + (r >> 1)) * width + (c >> 1);
        for (let ch = 0; ch < outC; ch++) {
          const g = probe.values[pixel * outC + ch];
          if (ch < lowC) {
            expectedValue[pixel * outC + ch] = low.values[lowPixel * lowC + ch];
            expectedDlow[lowPixel * lowC + ch] += g;
          } else {
            expectedValue[pixel * outC + ch] = skip.values[pixel * skipC + ch - lowC];
            expectedDskip[pixel * skipC + ch - lowC] = g;
          }
        }
      }
    }
  }
  assertOutputsClose([value, dskip], [expectedValue, expectedDskip], `upsampleConcat on ${engine.engine}`, 0);
  assertOutputsClose([dlow], [expectedDlow], `upsampleConcat low gradient on ${engine.engine}`, 1e-6);
});

test("upsampleConcat names the expected skip shape when the sizes do not match", async () => {
  await engineUnderTest();
  assert.throws(() => tf.tidy(() => upsampleConcat(tf.zeros([1, 4, 4, 2]), tf.zeros([1, 8, 7, 2]))), /skip must be \[1, 8, 8, channels\]/);
});

test("adamUpdateInPlace writes adamUpdate's values into the variables, and declines for shared data", async () => {
  const { engine } = await engineUnderTest();
  await tf.setBackend(engine.backend);
  const step = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, stepSize: 1e-2, decay: 1e-3 };
  const shapes = [[3, 3, 8, 16], [16], [40000]];
  const make = (shape: number[], seed: number, positive = false) =>
    tf.tidy(() => tf.variable(tf.tensor(pseudoRandom(shape.reduce((a, b) => a * b), seed).map((x) => (positive ? Math.abs(x) : x)), shape)));
  const slots = shapes.map((shape, i) => ({ w: make(shape, 40 + i), m: make(shape, 50 + i), v: make(shape, 60 + i, true), g: tf.tensor(pseudoRandom(shape.reduce((a, b) => a * b), 70 + i), shape) }));
  const expected = slots.map(({ w, m, v, g }) => tf.tidy(() => adamUpdate(w, m, v, g, step).map((t) => t.dataSync().slice())));
  const updated = adamUpdateInPlace(slots, step);
  assert.equal(updated, engine.engine === "native", `in place on ${engine.engine}`);
  if (updated) {
    slots.forEach(({ w, m, v }, i) => [w, m, v].forEach((t, k) => assertClose(t.dataSync() as Float32Array, expected[i][k] as Float32Array, `slot ${i} output ${k}`, 0, 0)));
    const kept = slots[1].w.clone();
    const before = slots.map(({ w, m, v }) => [w, m, v].map((t) => t.dataSync().slice()));
    assert.equal(adamUpdateInPlace(slots, step), false, "a weight shared with a clone is not overwritten");
    slots.forEach(({ w, m, v }, i) => [w, m, v].forEach((t, k) => assert.deepEqual(t.dataSync(), before[i][k], `slot ${i} output ${k} untouched`)));
    kept.dispose();
  }
  tf.dispose(slots.flatMap(({ w, m, v, g }) => [w, m, v, g]));
});
