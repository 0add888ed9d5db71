import type * as tf from "@tensorflow/tfjs";
import { existsSync, readdirSync, renameSync, rmSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../io/atomic.js";
import { readJsonFile } from "../io/json-file.js";
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
  // Partial checkpoints of killed processes (and our own earlier attempt) are never complete: remove them.
  if (existsSync(root)) for (const f of readdirSync(root)) if (/^\.step-\d+\.partial-/.test(f)) rmSync(join(root, f), { recursive: true, force: true });
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

/**
 * Directory of the newest complete checkpoint, or null when the run has none. Without latest.json (never
 * written, or deleted by the user after damage) the highest complete step-N directory is the newest.
 */
export function latestCheckpointDir(runDir: string): string | null {
  const root = checkpointsDir(runDir);
  const pointer = join(root, "latest.json");
  if (!existsSync(pointer)) {
    const complete = existsSync(root) ? readdirSync(root).filter((f) => /^step-\d+$/.test(f) && existsSync(join(root, f, "state.json"))).sort() : [];
    return complete.length ? join(root, complete[complete.length - 1]) : null;
  }
  const { checkpoint } = readJsonFile<{ checkpoint?: unknown }>(pointer, "checkpoint pointer", `delete it and rerun with --resume: the newest checkpoints/step-* directory is then used`);
  if (typeof checkpoint !== "string" || !/^step-\d+$/.test(checkpoint)) {
    throw new Error(`${pointer}: the checkpoint pointer names no step-N directory; delete it and rerun with --resume: the newest checkpoints/step-* directory is then used`);
  }
  return join(checkpointsDir(runDir), checkpoint);
}

export function loadCheckpoint(dir: string): LoadedCheckpoint {
  return {
    dir,
    weights: loadTensors(join(dir, "weights")),
    optimizer: loadTensors(join(dir, "optimizer")),
    state: readJsonFile<TrainState>(join(dir, "state.json"), "checkpoint state", `delete ${dir} and checkpoints/latest.json, then rerun with --resume to continue from the previous checkpoint`),
  };
}
