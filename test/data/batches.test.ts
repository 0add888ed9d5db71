import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { classificationBatches, depthBatches } from "../../src/data/batches.js";
import type { ClassificationSet, DepthSample, DepthSplit } from "../../src/data/types.js";

/** A split whose sample i has rgb = i + position/1000 and depth = i + 1 + x (0 at x = 0: invalid). */
function patternSplit(count: number, height: number, width: number): DepthSplit {
  return {
    count, height, width,
    get(index: number): DepthSample {
      const rgb = new Float32Array(height * width * 3);
      const depth_m = new Float32Array(height * width);
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
        const p = y * width + x;
        for (let c = 0; c < 3; c++) rgb[p * 3 + c] = index + (p * 3 + c) / 1000;
        depth_m[p] = x === 0 ? 0 : index + 1 + x;
      }
      return { rgb, depth_m };
    },
  };
}

test("depth batches: shapes, mask, dropLast and sample order", () => {
  const split = patternSplit(5, 3, 4);
  const batches = [...depthBatches(split, { batchSize: 2 })];
  assert.deepEqual(batches.map((b) => b.rgb.shape), [[2, 3, 4, 3], [2, 3, 4, 3], [1, 3, 4, 3]]);
  assert.deepEqual(batches[0].depth.shape, [2, 3, 4, 1]);
  const depth = batches[1].depth.dataSync();
  const mask = batches[1].mask.dataSync();
  assert.equal(depth[0], 0); // sample 2, x = 0
  assert.equal(mask[0], 0);
  assert.equal(depth[1], 2 + 1 + 1);
  assert.equal(mask[1], 1);
  assert.equal(batches[1].rgb.dataSync()[0], 2);
  batches.forEach((b) => tf.dispose([b.rgb, b.depth, b.mask]));
  assert.equal([...depthBatches(split, { batchSize: 2, dropLast: true })].length, 2);
});

test("shuffling is a seeded permutation: same seed same order, other seed other order", () => {
  const split = patternSplit(12, 2, 2);
  const firstValues = (seed: number) => [...depthBatches(split, { batchSize: 12, shuffle: true, seed })].map((b) => {
    const rgb = b.rgb.arraySync();
    tf.dispose([b.rgb, b.depth, b.mask]);
    return rgb.map((sample) => Math.round(sample[0][0][0]));
  })[0];
  const a = firstValues(3);
  assert.deepEqual(a, firstValues(3));
  assert.notDeepEqual(a, firstValues(4));
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 12 }, (_, i) => i));
});

test("flip mirrors rgb, depth and mask together, for about half of the samples", () => {
  const split = patternSplit(40, 2, 5);
  const [batch] = [...depthBatches(split, { batchSize: 40, flip: true, seed: 1 })];
  const rgb = batch.rgb.arraySync();
  const depth = batch.depth.arraySync();
  const mask = batch.mask.arraySync();
  tf.dispose([batch.rgb, batch.depth, batch.mask]);
  let flipped = 0;
  for (let i = 0; i < 40; i++) {
    const original = split.get(i);
    const isFlipped = depth[i][0][4][0] === 0; // invalid column x = 0 moved to the right edge
    if (isFlipped) flipped++;
    for (let y = 0; y < 2; y++) for (let x = 0; x < 5; x++) {
      const from = y * 5 + (isFlipped ? 4 - x : x);
      assert.equal(depth[i][y][x][0], original.depth_m[from]);
      assert.equal(mask[i][y][x][0], original.depth_m[from] > 0 ? 1 : 0);
      for (let c = 0; c < 3; c++) assert.equal(rgb[i][y][x][c], original.rgb[from * 3 + c]);
    }
  }
  assert.ok(flipped > 8 && flipped < 32, `${flipped} of 40 flipped`);
});

test("normalize applies (rgb - mean) / std per channel", () => {
  const [batch] = [...depthBatches(patternSplit(1, 1, 2), { batchSize: 1, normalize: { mean: [0.5, 0, 0], std: [0.25, 1, 2] } })];
  assert.deepEqual(Array.from(batch.rgb.dataSync()).map((v) => +v.toFixed(4)), [-2, 0.001, 0.001, -1.988, 0.004, 0.0025]);
  tf.dispose([batch.rgb, batch.depth, batch.mask]);
});

test("classification batches: [B,28,28,1] images with int or one-hot labels", () => {
  const count = 5;
  const set: ClassificationSet = {
    images: new Float32Array(count * 784).map((_, k) => Math.floor(k / 784) / 10),
    labels: Uint8Array.from([3, 1, 4, 1, 5]),
    count, height: 28, width: 28,
  };
  const ints = [...classificationBatches(set, { batchSize: 3 })];
  assert.deepEqual(ints[0].images.shape, [3, 28, 28, 1]);
  assert.deepEqual(Array.from(ints[1].labels.dataSync()), [1, 5]);
  assert.equal(ints[1].labels.dtype, "int32");
  assert.ok(Math.abs(ints[1].images.dataSync()[784] - 0.4) < 1e-6);
  const [hot] = [...classificationBatches(set, { batchSize: 5, labels: "onehot", shuffle: true, seed: 2 })];
  const images = hot.images.arraySync();
  hot.labels.arraySync().forEach((row, b) => {
    const index = Math.round(images[b][0][0][0] * 10); // which sample landed here
    assert.deepEqual(row, Array.from({ length: 10 }, (_, k) => (k === set.labels[index] ? 1 : 0)));
  });
  tf.dispose([...ints.flatMap((b) => [b.images, b.labels]), hot.images, hot.labels]);
});
