import type * as tf from "@tensorflow/tfjs";
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../io/atomic.js";
import { loadTensors, saveTensors } from "../models/weights-io.js";
import type { MetricsRow } from "./metrics-history.js";

/**
 * Checkpoints of a run: <run>/checkpoints/step-<N>/{weights/, optimizer/, state.json}, plus
 * <run>/checkpoints/latest.json naming the newest complete one. A checkpoint directory is assembled
 * under a temporary name and renamed into place before latest.json (written atomically) points at it,
 * so an interruption at any moment leaves the previous checkpoint usable. The two newest are kept.
 */
export interface TrainState {
  step: number;
  /** Seconds spent in training steps (the quantity a seconds budget limits), summed over resumes. */
  trainSeconds: number;
  /** Wall-clock seconds of the run (training, validation, checkpoints), summed over resumes. */
  wallSeconds: number;
  /** Training-loss sum and count since the last metrics row. */
  lossSum: number;
  lossCount: number;
  history: MetricsRow[];
}

export interface LoadedCheckpoint {
  dir: string;
  weights: Map<string, tf.Tensor>;
  optimizer: Map<string, tf.Tensor>;
  state: TrainState;
}

const KEEP = 2;

export function checkpointsDir(runDir: string): string {
  return join(runDir, "checkpoints");
}

export function saveCheckpoint(runDir: string, weights: ReadonlyMap<string, tf.Tensor>, optimizer: ReadonlyMap<string, tf.Tensor>, state: TrainState): string {
  const root = checkpointsDir(runDir);
  const name = `step-${String(state.step).padStart(8, "0")}`;
  const partial = join(root, `.${name}.partial-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  saveTensors(join(partial, "weights"), weights);
  saveTensors(join(partial, "optimizer"), optimizer);
  writeJsonAtomic(join(partial, "state.json"), state);
  const final = join(root, name);
  rmSync(final, { recursive: true, force: true });
  renameSync(partial, final);
  writeJsonAtomic(join(root, "latest.json"), { checkpoint: name, step: state.step });
  const older = readdirSync(root).filter((f) => /^step-\d+$/.test(f) && f !== name).sort();
  for (const dir of older.slice(0, Math.max(0, older.length - (KEEP - 1)))) rmSync(join(root, dir), { recursive: true, force: true });
  return final;
}

/** Directory of the newest complete checkpoint, or null when the run has none. */
export function latestCheckpointDir(runDir: string): string | null {
  const pointer = join(checkpointsDir(runDir), "latest.json");
  if (!existsSync(pointer)) return null;
  const { checkpoint } = JSON.parse(readFileSync(pointer, "utf8")) as { checkpoint: string };
  return join(checkpointsDir(runDir), checkpoint);
}

export function loadCheckpoint(dir: string): LoadedCheckpoint {
  return {
    dir,
    weights: loadTensors(join(dir, "weights")),
    optimizer: loadTensors(join(dir, "optimizer")),
    state: JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as TrainState,
  };
}
