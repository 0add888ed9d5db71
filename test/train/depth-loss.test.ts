import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initEngine } from "../../src/engine/backend.js";
import { silogLoss } from "../../src/train/depth-loss.js";
import { learningRateAt } from "../../src/train/lr-schedule.js";

test("scale-invariant log loss matches the closed form over valid pixels only", async () => {
  await initEngine();
  // log errors: ln2, -ln2, 0 on valid pixels; the 4th pixel (mask 0, gt 0) must not count.
  const pred = tf.tensor4d([2, 1, 3, 7], [1, 2, 2, 1]);
  const gt = tf.tensor4d([1, 2, 3, 0], [1, 2, 2, 1]);
  const mask = tf.tensor4d([1, 1, 1, 0], [1, 2, 2, 1]);
  const lambda = 0.85;
  const l2 = Math.log(2);
  const meanSquare = (2 * l2 * l2) / 3;
  const mean = 0;
  const expected = Math.sqrt(meanSquare - lambda * mean * mean + 1e-8);
  const loss = (await silogLoss(pred, gt, mask, lambda).data())[0];
  assert.ok(Math.abs(loss - expected) < 1e-5, `${loss} vs ${expected}`);
  // a uniform scale error is discounted by lambda: pred = 2 gt everywhere
  const scaled = (await silogLoss(tf.mul(gt, 2) as tf.Tensor4D, gt, mask, lambda).data())[0];
  assert.ok(Math.abs(scaled - Math.sqrt(l2 * l2 * (1 - lambda) + 1e-8)) < 1e-5, `${scaled}`);
});

test("learning rate: warm-up to the peak, cosine down to the floor", () => {
  const train = { learningRate: 1e-3, warmupFraction: 0.1, finalLrFraction: 0.05 };
  assert.ok(Math.abs(learningRateAt(0.05, train) - 0.5e-3) < 1e-12);
  assert.ok(Math.abs(learningRateAt(0.1, train) - 1e-3) < 1e-12);
  assert.ok(Math.abs(learningRateAt(0.55, train) - (0.05e-3 + 0.95e-3 * 0.5)) < 1e-12);
  assert.ok(Math.abs(learningRateAt(1, train) - 0.05e-3) < 1e-12);
});
