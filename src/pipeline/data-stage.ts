import type { DepthDataset } from "../data/types.js";
import { prepareArtifact, type MismatchPolicy } from "./artifact.js";
import type { SyntheticDataSettings } from "./presets.js";
import { writeProvenance } from "./provenance.js";

export interface SyntheticDataStageOptions {
  dir: string;
  settings: SyntheticDataSettings;
  policy: MismatchPolicy;
  /** Data set name in the manifest (default: the directory name). */
  name?: string;
  onProgress?: (done: number, total: number) => void;
  log?: (line: string) => void;
}

/** The stage-1 input: the synthetic RGB-D data set of these settings, reused when it already exists. */
export async function syntheticDataStage(options: SyntheticDataStageOptions): Promise<{ dataset: DepthDataset; reused: boolean }> {
  const { generateSyntheticDataset, splitCounts, SYNTHETIC_GENERATOR_VERSION } = await import("../data/synthetic/generate.js");
  const { openDepthDataset } = await import("../data/depth-dataset.js");
  const { dir, settings } = options;
  const recorded = { source: "synthetic", generatorVersion: SYNTHETIC_GENERATOR_VERSION, ...settings };
  const action = prepareArtifact({ dir, stage: "data", settings: recorded, policy: options.policy, markers: ["manifest.json"], finishedFile: "manifest.json", log: options.log });
  if (action !== "reuse") {
    await generateSyntheticDataset({
      dir, name: options.name, height: settings.height, width: settings.width, counts: splitCounts(settings.samples), seed: settings.seed,
      overwrite: true, onProgress: options.onProgress,
    });
    writeProvenance(dir, "data", recorded);
  }
  return { dataset: await openDepthDataset(dir), reused: action === "reuse" };
}
