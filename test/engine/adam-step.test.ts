import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { FlatAdamW } from "../../src/dko/adam.js";
import { adamStepAt } from "../../src/engine/adam-step.js";
import { AdamW } from "../../src/train/adam.js";

// Hand-computed: w = 1, lr 0.1, weight decay 0.01, gradients 0.5 then -0.5.
//   t = 1: m = 0.05, v = 2.5e-4, stepSize = 0.1 sqrt(1e-3) / 0.1 = 0.0316228; w = 1 - 0.1 (1 - 2e-7) - 0.001 = 0.8990001
//   t = 2: m = -0.005, v = 4.9975e-4, stepSize = 0.1 sqrt(1.999e-3) / 0.19 = 0.0235317; w = 0.9033642
const EXPECTED = [0.8990000632455132, 0.9033642187226611];
const GRADIENTS = [0.5, -0.5];

test("adamStepAt folds both bias corrections into the step size and scales the decay by the learning rate", () => {
  const step = adamStepAt(2, 0.1, { weightDecay: 0.01 });
  assert.ok(Math.abs(step.stepSize - (0.1 * Math.sqrt(1 - 0.999 ** 2)) / (1 - 0.9 ** 2)) < 1e-15);
  assert.ok(Math.abs(step.decay - 0.001) < 1e-15);
  assert.throws(() => adamStepAt(0, 0.1), /step 0 must be a whole number >= 1/);
});

test("the flat (metasurface) optimiser follows the hand-computed AdamW steps", () => {
  const w = Float32Array.of(1);
  const adam = new FlatAdamW(1, { learningRate: 0.1, weightDecay: 0.01 });
  GRADIENTS.forEach((g, i) => {
    adam.step(w, Float32Array.of(g));
    assert.ok(Math.abs(w[0] - EXPECTED[i]) < 1e-6, `step ${i + 1}: ${w[0]} vs ${EXPECTED[i]}`);
  });
});

test("the flat optimiser takes a step size per step (a schedule) over its constructor's", () => {
  const w = Float32Array.of(1);
  const adam = new FlatAdamW(1, { learningRate: 5, weightDecay: 0.01 });
  GRADIENTS.forEach((g, i) => {
    adam.step(w, Float32Array.of(g), 0.1);
    assert.ok(Math.abs(w[0] - EXPECTED[i]) < 1e-6, `step ${i + 1}: ${w[0]} vs ${EXPECTED[i]}`);
  });
});

test("the flat optimiser's threaded, vectorised pass equals the scalar formula on many values", () => {
  // An odd length: vector bodies, remainders and both threads' shares.
  const n = 100_003;
  const gradients = [0, 1].map((s) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + s) * (1 + (i % 7))));
  const w = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.11));
  const m = new Float32Array(n);
  const v = new Float32Array(n);
  const adam = new FlatAdamW(n, { learningRate: 0.3, weightDecay: 0.01 });
  const expected = Float64Array.from(w);
  gradients.forEach((g, t) => {
    adam.step(w, g);
    const { stepSize, decay, beta1, beta2, epsilon } = adamStepAt(t + 1, 0.3, { weightDecay: 0.01 });
    for (let i = 0; i < n; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      expected[i] = expected[i] - (stepSize * m[i]) / (Math.sqrt(v[i]) + epsilon) - decay * expected[i];
    }
  });
  const worst = w.reduce((a, x, i) => Math.max(a, Math.abs(x - expected[i])), 0);
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
});

test("the tensor optimiser follows the same hand-computed AdamW steps", async () => {
  await tf.setBackend("cpu");
  const w = tf.variable(tf.scalar(1));
  const adam = new AdamW(new Map([["w", w]]), { weightDecay: 0.01 });
  for (const [i, g] of GRADIENTS.entries()) {
    const gradient = tf.scalar(g);
    adam.apply(new Map([["w", gradient]]), 0.1);
    gradient.dispose();
    const value = (await w.data())[0];
    assert.ok(Math.abs(value - EXPECTED[i]) < 1e-6, `step ${i + 1}: ${value} vs ${EXPECTED[i]}`);
  }
  adam.dispose();
  w.dispose();
});
