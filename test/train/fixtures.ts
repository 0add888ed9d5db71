import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDepthDataset } from "../../src/data/depth-dataset.js";
import { generateSyntheticDataset } from "../../src/data/synthetic/generate.js";
import type { DepthDataset } from "../../src/data/types.js";
import { PRESETS } from "../../src/pipeline/presets.js";
import { presetNetConfig } from "../../src/pipeline/preset-configs.js";
import type { DepthRunConfig } from "../../src/train/run-files.js";

/**
 * A fresh temp directory holding a small synthetic RGB-D set (64/16/16 samples, 32x32 unless a size is
 * given); the caller removes `root`.
 */
export async function tinyDataset(size = { height: 32, width: 32 }): Promise<{ root: string; dataset: DepthDataset }> {
  const root = mkdtempSync(join(tmpdir(), "optocnn-train-"));
  const dir = join(root, "data");
  await generateSyntheticDataset({ dir, ...size, counts: { train: 64, val: 16, test: 16 }, seed: 7 });
  return { root, dataset: await openDepthDataset(dir) };
}

/** The tiny preset for a data set, with validation/checkpoint cadence overridable. */
export function tinyConfig(dataset: DepthDataset, train: Partial<DepthRunConfig["train"]> = {}): DepthRunConfig {
  return { preset: "tiny", net: presetNetConfig("tiny", dataset.manifest, 0), train: { ...PRESETS.tiny.stage1.train, ...train } };
}
