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
