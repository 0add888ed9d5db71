import { existsSync } from "node:fs";
import { readJsonFile } from "../io/json-file.js";
import { join } from "node:path";
import type { EngineInfo } from "../engine/backend.js";
import type { Budget, DepthNetConfig, TrainConfig } from "../models/depth-net-config.js";
import { latestCheckpointDir } from "./checkpoint.js";
import type { DepthEvalProtocol } from "../eval/depth-protocol.js";
import type { SetMetrics } from "../eval/evaluate-depth.js";

/**
 * Layout of a depth run directory:
 *   config.json    RunConfigFile: network, training settings, budget, data, engine
 *   metrics.csv    one row per validation: step, epoch, train_seconds, lr, train_loss, val_<metric>...
 *   summary.json   RunSummary of a finished run: test metrics, constant baselines, times, engine, sizes
 *   weights/       final weights, format optocnn-weights/1 (see src/models/weights-io.ts)
 *   checkpoints/   resumable state (see src/train/checkpoint.ts)
 */
export const RUN_CONFIG_FORMAT = "optocnn-depth-run/1";

export function runPaths(runDir: string) {
  return {
    config: join(runDir, "config.json"),
    metrics: join(runDir, "metrics.csv"),
    summary: join(runDir, "summary.json"),
    weights: join(runDir, "weights"),
  };
}

/** Network and optimisation settings of a run (what a preset expands to). */
export interface DepthRunConfig {
  preset?: string;
  net: DepthNetConfig;
  train: TrainConfig;
}

export interface RunConfigFile extends DepthRunConfig {
  format: typeof RUN_CONFIG_FORMAT;
  budget: Budget;
  /** Description of the first layer the back end was trained behind. */
  firstLayer: string;
  trainBackEnd: boolean;
  initWeightsFrom?: string;
  /** How validation and test are scored; absent in older runs (every positive ground-truth pixel, whole frame, no scaling). */
  evalProtocol?: DepthEvalProtocol;
  data: { dir: string; name: string; source: string; height: number; width: number; counts: { train: number; val: number; test: number }; depthRange_m: [number, number] };
  /** The engine the run started on. */
  engine: EngineInfo;
  /** Engine of each segment of a resumed run, from the step it started at (the first is `engine`). */
  engineSegments?: { fromStep: number; engine: EngineInfo }[];
  createdAt: string;
}

export interface RunSummary {
  status: "finished";
  steps: number;
  epochs: number;
  trainSeconds: number;
  wallSeconds: number;
  engine: EngineInfo;
  /** Parameters of the electronic network (first layer + back end). */
  parameterCount: number;
  trainableParameterCount: number;
  loss: string;
  /** The protocol behind every metric below. */
  evalProtocol: DepthEvalProtocol;
  /** Full test split. */
  test: SetMetrics;
  finalVal: SetMetrics;
  /** Constant predictors fitted on the train split, scored on the test split. */
  constantBaselines: { mean: { depth_m: number; test: SetMetrics }; absRelOptimal: { depth_m: number; test: SetMetrics } };
  weights: string;
  finishedAt: string;
}

export function readRunConfig(runDir: string): RunConfigFile {
  const path = runPaths(runDir).config;
  if (!existsSync(path)) throw new Error(`${runDir}: not a run directory (no config.json)`);
  const config = readJsonFile<RunConfigFile>(path, "run configuration", `it cannot be repaired automatically; train into a new --out (or pass --force to replace ${runDir})`);
  if (config.format !== RUN_CONFIG_FORMAT) throw new Error(`${path}: format "${config.format}", expected "${RUN_CONFIG_FORMAT}"`);
  return config;
}

export function readRunSummary(runDir: string): RunSummary | null {
  const path = runPaths(runDir).summary;
  return existsSync(path) ? readJsonFile<RunSummary>(path, "run summary", `delete it and rerun \`optocnn train --resume --out ${runDir}\` to evaluate the run again`) : null;
}

/**
 * The weights directory behind a path: a weights directory itself, a run's final weights/, or else the
 * run's newest checkpoint (an interrupted run).
 */
export function resolveWeightsDir(path: string): string {
  if (existsSync(join(path, "manifest.json"))) return path;
  const final = runPaths(path).weights;
  if (existsSync(join(final, "manifest.json"))) return final;
  const checkpoint = latestCheckpointDir(path);
  if (checkpoint) return join(checkpoint, "weights");
  throw new Error(`${path}: no weights (neither a weights directory nor a run with weights/ or checkpoints/)`);
}
