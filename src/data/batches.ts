import * as tf from "@tensorflow/tfjs";
import { createRandom, permutation } from "../util/random.js";
import type { ClassificationSet, DepthSplit } from "./types.js";

export interface BatchOrderOptions {
  batchSize: number;
  /** Shuffle the sample order (seeded; default false). */
  shuffle?: boolean;
  /** Seed for shuffling and augmentation; the same seed gives the same order and flips. Default 0. */
  seed?: number;
  /** Drop a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
}

/** The sample indices of each batch, plus the random source that also drives augmentation. */
function batchPlan(count: number, options: BatchOrderOptions): { batches: Int32Array[]; random: () => number } {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new Error(`batchSize must be a positive integer, got ${options.batchSize}`);
  }
  const random = createRandom(options.seed ?? 0);
  const order = options.shuffle ? permutation(count, random) : Int32Array.from({ length: count }, (_, i) => i);
  const batches: Int32Array[] = [];
  for (let start = 0; start < count; start += options.batchSize) {
    const end = Math.min(count, start + options.batchSize);
    if (end - start < options.batchSize && options.dropLast) break;
    batches.push(order.subarray(start, end));
  }
  return { batches, random };
}

export interface DepthBatchOptions extends BatchOrderOptions {
  /** Flip each sample horizontally with probability 1/2 (rgb, depth and mask together). */
  flip?: boolean;
  /**
   * Per-channel normalisation applied to rgb after scaling to [0,1]: (rgb - mean) / std. Omitted: rgb
   * stays in [0,1]. E.g. ImageNet statistics { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }.
   */
  normalize?: { mean: [number, number, number]; std: [number, number, number] };
}

export interface DepthBatch {
  /** [B,H,W,3] */
  rgb: tf.Tensor4D;
  /** [B,H,W,1] metres, 0 where invalid. */
  depth: tf.Tensor4D;
  /** [B,H,W,1]: 1 where depth is valid, else 0. */
  mask: tf.Tensor4D;
}

/**
 * Yields batches of a depth split as tfjs tensors. The caller owns (and must dispose) each batch's tensors.
 */
export function* depthBatches(split: DepthSplit, options: DepthBatchOptions): Generator<DepthBatch> {
  const { height, width } = split;
  const pixels = height * width;
  const { batches, random } = batchPlan(split.count, options);
  const norm = options.normalize;
  if (norm && norm.std.some((s) => !(s > 0))) throw new Error(`normalize.std must be positive, got [${norm.std.join(", ")}]`);
  for (const indices of batches) {
    const size = indices.length;
    const rgb = new Float32Array(size * pixels * 3);
    const depth = new Float32Array(size * pixels);
    const mask = new Float32Array(size * pixels);
    indices.forEach((index, b) => {
      const sample = split.get(index);
      const flip = options.flip === true && random() < 0.5;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const from = y * width + (flip ? width - 1 - x : x);
          const to = b * pixels + y * width + x;
          for (let c = 0; c < 3; c++) {
            const value = sample.rgb[from * 3 + c];
            rgb[to * 3 + c] = norm ? (value - norm.mean[c]) / norm.std[c] : value;
          }
          const d = sample.depth_m[from];
          depth[to] = d > 0 ? d : 0;
          mask[to] = d > 0 ? 1 : 0;
        }
      }
    });
    yield {
      rgb: tf.tensor4d(rgb, [size, height, width, 3]),
      depth: tf.tensor4d(depth, [size, height, width, 1]),
      mask: tf.tensor4d(mask, [size, height, width, 1]),
    };
  }
}

export interface ClassificationBatchOptions extends BatchOrderOptions {
  /** "int": int32 labels [B] (default); "onehot": float32 [B, classes]. */
  labels?: "int" | "onehot";
  /** Number of classes for one-hot labels (default 10). */
  classes?: number;
}

export interface ClassificationBatch {
  /** [B,28,28,1] in [0,1]. */
  images: tf.Tensor4D;
  /** int32 [B] or float32 one-hot [B, classes]. */
  labels: tf.Tensor1D | tf.Tensor2D;
}

/** Yields batches of a classification set (e.g. Fashion-MNIST) as tfjs tensors; the caller disposes them. */
export function* classificationBatches(set: ClassificationSet, options: ClassificationBatchOptions): Generator<ClassificationBatch> {
  const pixels = set.height * set.width;
  const classes = options.classes ?? 10;
  const { batches } = batchPlan(set.count, options);
  for (const indices of batches) {
    const size = indices.length;
    const images = new Float32Array(size * pixels);
    const labels = new Int32Array(size);
    indices.forEach((index, b) => {
      images.set(set.images.subarray(index * pixels, (index + 1) * pixels), b * pixels);
      labels[b] = set.labels[index];
    });
    if (options.labels === "onehot") {
      const oneHot = new Float32Array(size * classes);
      labels.forEach((label, b) => {
        if (label >= classes) throw new Error(`label ${label} of sample ${indices[b]} does not fit ${classes} classes`);
        oneHot[b * classes + label] = 1;
      });
      yield { images: tf.tensor4d(images, [size, set.height, set.width, 1]), labels: tf.tensor2d(oneHot, [size, classes]) };
    } else {
      yield { images: tf.tensor4d(images, [size, set.height, set.width, 1]), labels: tf.tensor1d(labels, "int32") };
    }
  }
}

/** The samples `indices` of a split, as a split. */
export function subsetSplit(split: DepthSplit, indices: ArrayLike<number>): DepthSplit {
  return { count: indices.length, height: split.height, width: split.width, get: (i) => split.get(indices[i]) };
}
