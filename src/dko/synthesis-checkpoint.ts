import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../io/atomic.js";
import { readNpy, writeNpy } from "../io/npy.js";
import type { FlatAdamState } from "./adam.js";

/**
 * Resumable metasurface synthesis: everything the optimisation loop carries from one step to the next,
 * saved between steps so that a resumed synthesis takes exactly the steps the uninterrupted one would.
 * Layout: <dir>/synthesis-checkpoint/{state.json, best.npy, best_psfs.npy, best_loss.npy, initial_loss.npy,
 * and while running params.npy, adam_m.npy, adam_v.npy}, assembled in a hidden sibling and renamed into place.
 * A finished synthesis needs neither its current parameters nor Adam's moments: dropping them halves what
 * a paper run keeps on disk (a checkpoint per chunk until the result is written: 12 x ~0.5 GB -> 12 x ~0.14 GB).
 */
interface SynthesisRecord {
  /** Running: the next step to run (steps 0..step-1 are done and their updates applied). Finished: the steps run. */
  step: number;
  best: Float32Array;
  bestPsfs: Float32Array;
  bestLoss: Float64Array;
  initialLoss: Float64Array;
  history: number[];
  bestMean: number;
  sinceImprovement: number;
}

export type SynthesisState = (SynthesisRecord & { status: "running"; params: Float32Array; adam: FlatAdamState }) | (SynthesisRecord & { status: "finished" });

/** How synthesizeMetasurfaces saves and resumes (all optional for callers that need neither). */
export interface SynthesisCheckpointHook {
  /**
   * Save when this many seconds passed since the last save (and when the signal aborts): a chunk's
   * running checkpoint holds four planes per cell (parameters, best, Adam moments), ~0.5 GB for 32 paper-sized
   * metasurfaces, so saving by step count would write tens of GB over a paper run. The finished state
   * is saved too.
   */
  everySeconds: number;
  signal?: AbortSignal;
  restore(): SynthesisState | null;
  save(state: SynthesisState): void;
}

/** Thrown after the checkpoint is written when the signal stopped the synthesis. */
export class SynthesisInterrupted extends Error {
  constructor(readonly step: number) {
    super(`synthesis interrupted at step ${step}; checkpoint written`);
  }
}

const FORMAT = "optocnn-synthesis-checkpoint/1";
export const SYNTHESIS_CHECKPOINT_DIR = "synthesis-checkpoint";

/** Removes hidden partial checkpoints a killed process left behind. */
function removeStalePartials(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) if (name.startsWith(`.${SYNTHESIS_CHECKPOINT_DIR}.partial-`)) rmSync(join(dir, name), { recursive: true, force: true });
}

export function saveSynthesisCheckpoint(dir: string, state: SynthesisState): void {
  removeStalePartials(dir);
  const partial = join(dir, `.${SYNTHESIS_CHECKPOINT_DIR}.partial-${process.pid}`);
  mkdirSync(partial, { recursive: true });
  const flat = (name: string, data: Float32Array | Float64Array) => writeNpy(join(partial, name), { data, shape: [data.length] });
  flat("best.npy", state.best);
  flat("best_psfs.npy", state.bestPsfs);
  flat("best_loss.npy", state.bestLoss);
  flat("initial_loss.npy", state.initialLoss);
  if (state.status === "running") {
    flat("params.npy", state.params);
    flat("adam_m.npy", state.adam.m);
    flat("adam_v.npy", state.adam.v);
  }
  writeJsonAtomic(join(partial, "state.json"), {
    format: FORMAT, finished: state.status === "finished", step: state.step, adamT: state.status === "running" ? state.adam.t : null, history: state.history, bestMean: state.bestMean, sinceImprovement: state.sinceImprovement,
  });
  const final = join(dir, SYNTHESIS_CHECKPOINT_DIR);
  const old = join(dir, `.${SYNTHESIS_CHECKPOINT_DIR}.partial-old-${process.pid}`);
  if (existsSync(final)) renameSync(final, old);
  renameSync(partial, final);
  rmSync(old, { recursive: true, force: true });
}

/** The checkpoint in `dir`, or null when there is none. Errors name the file and the fix. */
export function loadSynthesisCheckpoint(dir: string): SynthesisState | null {
  removeStalePartials(dir);
  const root = join(dir, SYNTHESIS_CHECKPOINT_DIR);
  if (!existsSync(join(root, "state.json"))) return null;
  const fix = `delete ${root} to start the synthesis afresh`;
  // `finished` is absent from checkpoints of earlier versions, which were all resumable as running.
  let meta: { format?: string; finished?: boolean; step: number; adamT: number | null; history: number[]; bestMean: number; sinceImprovement: number };
  try {
    meta = JSON.parse(readFileSync(join(root, "state.json"), "utf8"));
  } catch {
    throw new Error(`${join(root, "state.json")} is not valid JSON (a damaged checkpoint); ${fix}`);
  }
  if (meta.format !== FORMAT) throw new Error(`${join(root, "state.json")} is not a synthesis checkpoint of this optocnn; ${fix}`);
  const f32 = (name: string) => {
    const { data } = readNpy(join(root, name));
    if (!(data instanceof Float32Array)) throw new Error(`${join(root, name)}: expected float32; ${fix}`);
    return data;
  };
  const f64 = (name: string) => {
    const { data } = readNpy(join(root, name));
    if (!(data instanceof Float64Array)) throw new Error(`${join(root, name)}: expected float64; ${fix}`);
    return data;
  };
  const record: SynthesisRecord = {
    step: meta.step, best: f32("best.npy"), bestPsfs: f32("best_psfs.npy"), bestLoss: f64("best_loss.npy"), initialLoss: f64("initial_loss.npy"),
    history: meta.history, bestMean: meta.bestMean, sinceImprovement: meta.sinceImprovement,
  };
  if (meta.finished === true) return { ...record, status: "finished" };
  if (typeof meta.adamT !== "number") throw new Error(`${join(root, "state.json")} has no Adam step count (adamT) for a running synthesis (a damaged checkpoint); ${fix}`);
  return { ...record, status: "running", params: f32("params.npy"), adam: { m: f32("adam_m.npy"), v: f32("adam_v.npy"), t: meta.adamT } };
}

/** A hook saving into and resuming from `dir`. */
export function directoryCheckpointHook(dir: string, everySeconds: number, signal?: AbortSignal): SynthesisCheckpointHook {
  return { everySeconds, signal, restore: () => loadSynthesisCheckpoint(dir), save: (state) => saveSynthesisCheckpoint(dir, state) };
}

/** Removes the checkpoint once the synthesis result is written. */
export function removeSynthesisCheckpoint(dir: string): void {
  rmSync(join(dir, SYNTHESIS_CHECKPOINT_DIR), { recursive: true, force: true });
}
