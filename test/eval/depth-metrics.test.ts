import { test } from "node:test";
import assert from "node:assert/strict";
import { depthMetrics, DepthMetricsAccumulator } from "../../src/eval/depth-metrics.js";

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

// Pixel 0 exact; pixels 1-4 have gt 1 and pred/gt ratios 1.2 (inside delta<1.25), 1.4 (inside 1.25^2 = 1.5625),
// 1.9 (inside 1.25^3 = 1.953125) and 3 (outside all); pixel 5 has no ground truth (0) and must be ignored.
const gt = [2, 1, 1, 1, 1, 0];
const pred = [2, 1.2, 1.4, 1.9, 3, 5];

test("depth metrics match hand-computed values, invalid ground truth excluded", () => {
  const m = depthMetrics(pred, gt)!;
  assert.equal(m.validPixels, 5);
  close(m.absRel, (0 + 0.2 + 0.4 + 0.9 + 2) / 5, "absRel"); // 0.7
  close(m.sqRel, (0 + 0.04 + 0.16 + 0.81 + 4) / 5, "sqRel"); // 1.002
  close(m.rmse, Math.sqrt(5.01 / 5), "rmse");
  close(m.rmseLog, Math.sqrt((Math.log(1.2) ** 2 + Math.log(1.4) ** 2 + Math.log(1.9) ** 2 + Math.log(3) ** 2) / 5), "rmseLog");
  close(m.delta1, 2 / 5, "delta1");
  close(m.delta2, 3 / 5, "delta2");
  close(m.delta3, 4 / 5, "delta3");
});

test("sqRel divides by the ground truth and the delta ratio is symmetric", () => {
  // gt 4, pred 2: err 2, err^2/gt = 1, ratio max(4/2, 2/4) = 2 > 1.953125
  const m = depthMetrics([2], [4])!;
  close(m.absRel, 0.5, "absRel");
  close(m.sqRel, 1, "sqRel");
  close(m.rmse, 2, "rmse");
  close(m.rmseLog, Math.log(2), "rmseLog");
  assert.deepEqual([m.delta1, m.delta2, m.delta3], [0, 0, 0]);
  // an under-estimate by 1.2x counts like an over-estimate by 1.2x
  assert.equal(depthMetrics([1], [1.2])!.delta1, 1);
});

test("a mask removes pixels from every metric", () => {
  const m = depthMetrics(pred, gt, { mask: [1, 1, 1, 1, 0, 1] })!;
  assert.equal(m.validPixels, 4);
  close(m.absRel, 1.5 / 4, "absRel");
  close(m.delta1, 2 / 4, "delta1");
  close(m.delta2, 3 / 4, "delta2");
  close(m.delta3, 1, "delta3");
});

test("predictions are clamped to the depth range before scoring", () => {
  const m = depthMetrics(pred, gt, { depthRange_m: [0.5, 2.5] })!;
  close(m.absRel, (0.2 + 0.4 + 0.9 + 1.5) / 5, "absRel"); // pred 3 -> 2.5
  const low = depthMetrics([0], [1], { depthRange_m: [0.5, 10] })!; // pred 0 -> 0.5: finite log error
  close(low.rmseLog, Math.log(2), "rmseLog");
});

test("no valid pixel gives null; a set averages per image and counts empty images", () => {
  assert.equal(depthMetrics([1, 2], [0, 0]), null);
  const acc = new DepthMetricsAccumulator();
  acc.add(pred, gt); // absRel 0.7
  acc.add([2], [4]); // absRel 0.5
  acc.add([1], [0]); // skipped
  const r = acc.result();
  close(r.absRel, 0.6, "absRel mean of images"); // pixel-weighted would be 0.6667
  assert.equal(r.images, 2);
  assert.equal(r.imagesWithoutValidDepth, 1);
  assert.throws(() => new DepthMetricsAccumulator().result(), /no image with valid ground truth/);
});

test("mismatched lengths are rejected", () => {
  assert.throws(() => depthMetrics([1, 2], [1]), /prediction has 2 values, ground truth 1/);
});
