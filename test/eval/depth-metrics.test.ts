import { test } from "node:test";
import assert from "node:assert/strict";
import { depthMetrics, DepthMetricsAccumulator } from "../../src/eval/depth-metrics.js";
import { cropBounds, defaultProtocol, DepthEvalProtocolSchema, describeProtocol } from "../../src/eval/depth-protocol.js";

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

test("predictions are clamped to [minDepth_m, maxDepth_m] before scoring", () => {
  const m = depthMetrics(pred, gt, { protocol: { minDepth_m: 0.5, maxDepth_m: 2.5, crop: "none", medianScaling: false } })!;
  close(m.absRel, (0.2 + 0.4 + 0.9 + 1.5) / 5, "absRel"); // pred 3 -> 2.5
  const low = depthMetrics([0], [1], { protocol: { minDepth_m: 0.5, maxDepth_m: 10, crop: "none", medianScaling: false } })!; // pred 0 -> 0.5: finite log error
  close(low.rmseLog, Math.log(2), "rmseLog");
});

test("the depth cap and the minimum depth drop ground truth outside (min, cap), strictly", () => {
  // gt 0.0005 is below 1e-3, 80 and 95 are not below the 80 m cap: only gt 2 and 40 count.
  const m = depthMetrics([3, 1, 40, 80, 80], [2, 0.0005, 40, 80, 95], { protocol: { minDepth_m: 1e-3, maxDepth_m: 80, crop: "none", medianScaling: false } })!;
  assert.equal(m.validPixels, 2);
  close(m.absRel, (0.5 + 0) / 2, "absRel");
});

test("median scaling multiplies the prediction by median(gt) / median(pred) over the counted pixels, then clamps", () => {
  // Counted: gt [2, 4, 6, 8] (the 0 and the pixel above the 10 m cap are not). Predictions are half the
  // truth except the last, pred [1, 2, 3, 100]: median(gt) = 5, median(pred) = 2.5, scale 2 ->
  // [2, 4, 6, 200] -> clamp to 10 -> only the last pixel is wrong: |8 - 10| / 8.
  const protocol = { minDepth_m: 1e-3, maxDepth_m: 10, crop: "none", medianScaling: true } as const;
  const m = depthMetrics([1, 2, 7, 3, 100, 9], [2, 4, 0, 6, 8, 12], { protocol })!;
  assert.equal(m.validPixels, 4);
  close(m.absRel, 0.25 / 4, "absRel");
  close(m.rmse, Math.sqrt(4 / 4), "rmse");
  assert.deepEqual([m.delta1, m.delta2], [3 / 4, 1]); // 10 / 8 = 1.25 is not < 1.25
  // Without scaling the same prediction is off by a factor of 2 on three pixels.
  close(depthMetrics([1, 2, 7, 3, 100, 9], [2, 4, 0, 6, 8, 12], { protocol: { ...protocol, medianScaling: false } })!.absRel, (0.5 * 3 + 0.25) / 4, "absRel unscaled");
  // An odd count takes the middle value: gt [1, 2, 3], pred [10, 20, 40] -> scale 2 / 20.
  close(depthMetrics([10, 20, 40], [1, 2, 3], { protocol: { ...protocol, maxDepth_m: null } })!.absRel, (0 + 0 + 1 / 3) / 3, "odd count");
  assert.throws(() => depthMetrics([0, 0], [1, 2], { protocol }), /positive median prediction/);
});

test("crop bounds on KITTI's 375 x 1242 frame and on a 64 x 208 model frame", () => {
  // Garg: 0.40810811 * 375 = 153.04, 0.99189189 * 375 = 371.96, 0.03594771 * 1242 = 44.65, 0.96405229 * 1242 = 1197.35 (truncated).
  assert.deepEqual(cropBounds("garg", 375, 1242), { top: 153, bottom: 371, left: 44, right: 1197 });
  // Eigen: 0.3324324 * 375 = 124.66, 0.91351351 * 375 = 342.57.
  assert.deepEqual(cropBounds("eigen", 375, 1242), { top: 124, bottom: 342, left: 44, right: 1197 });
  // 64 x 208: 26.12, 63.48, 7.48, 200.52.
  assert.deepEqual(cropBounds("garg", 64, 208), { top: 26, bottom: 63, left: 7, right: 200 });
  assert.deepEqual(cropBounds("none", 64, 208), { top: 0, bottom: 64, left: 0, right: 208 });
});

test("a crop scores only the pixels inside it and needs the frame size", () => {
  // 4 x 10 frame, Garg crop: rows 1..3 (0.408 * 4 = 1.63, 0.992 * 4 = 3.97), columns 0..9 (0.36, 9.64).
  const height = 4;
  const width = 10;
  const truth = new Float32Array(height * width).fill(2);
  const guess = new Float32Array(height * width).fill(2);
  guess[0 * width + 5] = 4; // row 0: outside
  guess[3 * width + 9] = 4; // column 9: outside
  guess[2 * width + 4] = 3; // inside: the only error
  const protocol = { minDepth_m: 1e-3, maxDepth_m: 80, crop: "garg", medianScaling: false } as const;
  const m = depthMetrics(guess, truth, { protocol, height, width })!;
  assert.equal(m.validPixels, 2 * 9);
  close(m.absRel, 0.5 / 18, "absRel");
  assert.throws(() => depthMetrics(guess, truth, { protocol }), /garg crop needs the frame size/);
});

test("every data set has a default protocol: KITTI's cap, minimum and crop; the plain one elsewhere", () => {
  assert.deepEqual(defaultProtocol("kitti"), { minDepth_m: 1e-3, maxDepth_m: 80, crop: "garg", medianScaling: false });
  assert.deepEqual(defaultProtocol("synthetic"), { minDepth_m: 1e-3, maxDepth_m: null, crop: "none", medianScaling: false });
  assert.equal(describeProtocol(defaultProtocol("kitti")), "ground truth in (0.001, 80) m, garg crop");
  assert.equal(describeProtocol({ ...defaultProtocol("nyu"), medianScaling: true }), "ground truth in (0.001, inf) m, whole frame, median scaling");
  assert.equal(DepthEvalProtocolSchema.safeParse({ minDepth_m: 1, maxDepth_m: 0.5, crop: "none", medianScaling: false }).success, false);
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
