import { existsSync } from "node:fs";
import { join } from "node:path";
import type { DepthDataset } from "../data/types.js";
import type { DepthEvalProtocol } from "../eval/depth-protocol.js";
import type { Budget } from "../models/depth-net-config.js";
import type { DepthRunConfig, RunSummary } from "../train/run-files.js";
import type { TrainProgress } from "../train/train-depth.js";
import { latestCheckpointDir } from "../train/checkpoint.js";
import { prepareArtifact, rollBackOnFailure, type MismatchPolicy } from "./artifact.js";
import { readProvenance, writeProvenance } from "./provenance.js";

export interface Stage1StageOptions {
  dir: string;
  dataset: DepthDataset;
  config: DepthRunConfig;
  budget: Budget;
  policy: MismatchPolicy;
  /** How validation and test are scored (default: the data set's protocol). */
  evalProtocol?: DepthEvalProtocol;
  /** Start from another run's weights. */
  initWeightsFrom?: string;
  signal?: AbortSignal;
  onProgress?: (event: TrainProgress) => void;
  log?: (line: string) => void;
}

export type Stage1Outcome =
  | { status: "finished"; summary: RunSummary; reused: boolean }
  | { status: "interrupted"; step: number };

/** What identifies a data set in the settings of what is made from it: its provenance hash, else its manifest. */
export function datasetIdentity(dataset: DepthDataset): unknown {
  const provenance = readProvenance(dataset.dir);
  return provenance ? { provenance: provenance.hash } : { manifest: dataset.manifest };
}

/**
 * DKO stage 1: the electronic depth CNN of these settings on this data set. A finished run with the same
 * settings is reused, an interrupted one resumed from its last checkpoint, a stale one handled by the policy.
 */
export async function stage1Stage(options: Stage1StageOptions): Promise<Stage1Outcome> {
  const { trainDepth } = await import("../train/train-depth.js");
  const { readRunSummary } = await import("../train/run-files.js");
  const { dir, dataset } = options;
  const settings = { data: datasetIdentity(dataset), config: options.config, budget: options.budget, initWeightsFrom: options.initWeightsFrom, evalProtocol: options.evalProtocol };
  const action = prepareArtifact({ dir, stage: "stage1", settings, policy: options.policy, markers: ["config.json"], finishedFile: "summary.json", log: options.log });
  if (action === "reuse") return { status: "finished", summary: readRunSummary(dir)!, reused: true };
  const resume = action === "resume" && existsSync(join(dir, "config.json"));
  const result = await rollBackOnFailure(dir, action, (d) => latestCheckpointDir(d) !== null, () => {
    if (action === "create") writeProvenance(dir, "stage1", settings);
    return trainDepth({
      runDir: dir,
      dataset,
      config: resume ? undefined : options.config,
      budget: resume ? undefined : options.budget,
      resume,
      initWeightsFrom: options.initWeightsFrom,
      evalProtocol: options.evalProtocol,
      signal: options.signal,
      onProgress: options.onProgress,
    });
  });
  result.net.dispose();
  if (result.status === "interrupted") return { status: "interrupted", step: result.step };
  return { status: "finished", summary: result.summary!, reused: false };
}
