import { writeDepthDataset } from "../dataset-writer.js";
import { createRandom, hashSeed } from "../../util/random.js";
import type { DepthManifest, DepthSample, DepthSplitName } from "../types.js";
import { renderScene } from "./render.js";
import { sampleScene } from "./scene.js";

/** Bumped whenever the generator's output for a given seed changes. */
export const SYNTHETIC_GENERATOR_VERSION = "synthetic-rgbd-1";

const SPLIT_TAGS: Record<DepthSplitName, number> = { train: 1, val: 2, test: 3 };

/** Splits a total into train/val/test counts (default 80/10/10; val and test rounded down, train gets the rest). */
export function splitCounts(total: number, valFraction = 0.1, testFraction = 0.1): { train: number; val: number; test: number } {
  const val = Math.floor(total * valFraction);
  const test = Math.floor(total * testFraction);
  return { train: total - val - test, val, test };
}

/**
 * Renders one synthetic sample. Each sample's scene depends only on (seed, split, index), so a sample is
 * reproducible on its own and the splits never share a scene.
 */
export function syntheticSample(seed: number, split: DepthSplitName, index: number, height: number, width: number): DepthSample {
  const sampleSeed = hashSeed(seed, SPLIT_TAGS[split], index);
  const scene = sampleScene(createRandom(sampleSeed));
  const uniformNoise = createRandom(hashSeed(sampleSeed, 0x5e5));
  // Sum of three uniforms: zero mean, unit variance, close enough to Gaussian for sensor noise.
  const noise = () => (uniformNoise() + uniformNoise() + uniformNoise() - 1.5) * 2;
  return renderScene(scene, { height, width, noise });
}

export interface SyntheticDatasetOptions {
  dir: string;
  name?: string;
  height: number;
  width: number;
  counts: { train: number; val: number; test: number };
  /** Default 1. */
  seed?: number;
  overwrite?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Generates a synthetic RGB-D data set into options.dir (the presets in src/pipeline/presets.ts choose its size). */
export async function generateSyntheticDataset(options: SyntheticDatasetOptions): Promise<DepthManifest> {
  const { height, width, counts } = options;
  const seed = options.seed ?? 1;
  for (const [field, value] of Object.entries({ height, width, seed, ...counts })) {
    if (!Number.isInteger(value) || value < 0 || ((field === "height" || field === "width") && value < 1)) {
      throw new Error(`generateSyntheticDataset: ${field} must be a ${field === "height" || field === "width" ? "positive" : "non-negative"} integer, got ${value}`);
    }
  }
  return writeDepthDataset(
    {
      dir: options.dir, name: options.name, source: "synthetic", height, width, counts, seed,
      generatorVersion: SYNTHETIC_GENERATOR_VERSION, overwrite: options.overwrite, onProgress: options.onProgress,
    },
    (split, index) => syntheticSample(seed, split, index, height, width),
  );
}
