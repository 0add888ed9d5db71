import { largeCopy, largeFloat32Array } from "../engine/large-array.js";
import { complexZeros } from "../optics/grid.js";
import { unitSum } from "../optics/model-agreement.js";
import type { PsfModel } from "../optics/psf-model.js";
import { learningRateAt } from "../train/lr-schedule.js";
import { FlatAdamW } from "./adam.js";
import type { DkoOptimiser } from "./config.js";
import { gather, type OpticsBank } from "./optics-bank.js";
import { SynthesisInterrupted, type SynthesisCheckpointHook } from "./synthesis-checkpoint.js";
import { windowLoss } from "./window-loss.js";

export interface SynthesisProgress {
  step: number;
  steps: number;
  /** Mean loss over the active metasurfaces at this step, and the best so far. */
  loss: number;
  bestLoss: number;
}

export interface SynthesisResult {
  /** Best parameters per metasurface [B, N, N] and their unit-sum PSFs [B, M, M]. */
  params: Float32Array;
  psfs: Float32Array;
  /** Loss (src/dko/window-loss.ts) per metasurface at the start and at the kept parameters. */
  initialLoss: Float64Array;
  finalLoss: Float64Array;
  stepsRun: number;
  stoppedEarly: boolean;
  seconds: number;
  /** Mean active loss per step (the loss curve). */
  history: number[];
}

/**
 * Direct kernel optimisation of a bank of metasurfaces, all in one batch: per metasurface b, the window
 * loss (src/dko/window-loss.ts) of its PSF per incident energy (the model's "incident-energy"
 * normalisation) against target_b, the zero-padded unit-sum kernel: the shape term penalises light in the
 * window but outside the kernel, the light term (`optimiser.efficiencyWeight`) light that misses the
 * window. Adam(W) on all parameters (step size constant or decaying on a cosine over `steps`); each metasurface
 * keeps its best parameters; stops when the mean loss has not improved by `tolerance` (relative) for
 * `patience` steps. Inactive metasurfaces (empty kernel part) get no gradient.
 */
export async function synthesizeMetasurfaces(options: {
  model: PsfModel;
  /** [B, M, M] unit-sum targets (or all-zero for inactive ones). */
  targets: Float32Array;
  active: readonly boolean[];
  initialParams: Float32Array;
  optimiser: DkoOptimiser;
  onProgress?: (event: SynthesisProgress) => void;
  /** Resume from and save checkpoints; a stop signal saves one and throws SynthesisInterrupted. */
  checkpoint?: SynthesisCheckpointHook;
}): Promise<SynthesisResult> {
  const start = performance.now();
  const { model, targets, active, optimiser } = options;
  if (model.normalisation !== "incident-energy") throw new Error(`synthesizeMetasurfaces: the model must give PSFs per incident energy (OpticsBank.model("incident-energy")), not "${model.normalisation}": the loss needs the light that misses the window`);
  const efficiencyWeight = optimiser.efficiencyWeight ?? 0;
  const B = model.batch;
  const N = model.cells;
  const M = model.windowPixels;
  const plane = N * N;
  const window = M * M;
  if (targets.length !== B * window) throw new Error(`targets: expected [${B}, ${M}, ${M}] (${B * window} values), got ${targets.length}`);
  if (active.length !== B) throw new Error(`active: expected ${B} flags, got ${active.length}`);
  const activeCount = active.filter(Boolean).length;
  const params = largeCopy(options.initialParams);
  const best = largeCopy(params);
  const bestPsfs = new Float32Array(B * window);
  const bestLoss = new Float64Array(B).fill(Infinity);
  const initialLoss = new Float64Array(B);
  const adam = new FlatAdamW(params.length, { learningRate: optimiser.learningRate, weightDecay: optimiser.weightDecay });
  const history: number[] = [];
  // Each step's vjp runs before the next forward, so the big intermediates can be reused (the fused step has none).
  const buffers = model.fusedPhaseStep ? {} : { transmission: complexZeros(B * plane), gradParams: new Float32Array(B * plane) };
  let bestMean = Infinity;
  let sinceImprovement = 0;
  let step = 0;
  let lastSave = performance.now();
  const restored = options.checkpoint?.restore();
  if (restored) {
    if (restored.best.length !== params.length || restored.bestLoss.length !== B) throw new Error(`the synthesis checkpoint holds another bank (${restored.bestLoss.length} metasurfaces, ${restored.best.length} parameters); remove it to start afresh`);
    ({ step, bestMean, sinceImprovement } = restored);
    best.set(restored.best);
    bestPsfs.set(restored.bestPsfs);
    bestLoss.set(restored.bestLoss);
    initialLoss.set(restored.initialLoss);
    history.push(...restored.history);
    if (restored.status === "running") {
      params.set(restored.params);
      adam.restore(restored.adam);
    }
  }

  // One forward per step scores the current parameters; the update follows, so the final parameters
  // are scored by one more forward after the loop.
  for (; restored?.status !== "finished"; step++) {
    const last = step === optimiser.steps;
    const { psf, vjp, adamStep } = model.forwardWithVjp(params, buffers);
    const gradPsf = new Float32Array(B * window);
    const unitSum = new Float32Array(B * window);
    let meanLoss = 0;
    // Metasurfaces whose parameters are their best so far: copied before the update changes them.
    const improved = new Array<boolean>(B).fill(false);
    for (let b = 0; b < B; b++) {
      if (!active[b]) continue;
      const range = [b * window, (b + 1) * window] as const;
      const { loss } = windowLoss(psf.subarray(...range), targets.subarray(...range), efficiencyWeight, unitSum.subarray(...range), gradPsf.subarray(...range));
      if (step === 0) initialLoss[b] = loss;
      meanLoss += loss / Math.max(1, activeCount);
      if (loss < bestLoss[b]) {
        bestLoss[b] = loss;
        improved[b] = true;
        bestPsfs.set(unitSum.subarray(...range), b * window);
      }
    }
    history.push(meanLoss);
    if (meanLoss < bestMean * (1 - optimiser.tolerance)) {
      bestMean = meanLoss;
      sinceImprovement = 0;
    } else {
      bestMean = Math.min(bestMean, meanLoss);
      sinceImprovement++;
    }
    options.onProgress?.({ step, steps: optimiser.steps, loss: meanLoss, bestLoss: bestMean });
    const keepBest = () => improved.forEach((yes, b) => yes && best.set(params.subarray(b * plane, (b + 1) * plane), b * plane));
    const done = last || activeCount === 0 || sinceImprovement >= optimiser.patience;
    if (done) {
      keepBest();
      // The finished state too, so what follows (scoring, fine-tuning) can stop without losing the synthesis.
      options.checkpoint?.save({ status: "finished", step, best, bestPsfs, bestLoss, initialLoss, history, bestMean, sinceImprovement });
      break;
    }
    const learningRate = learningRateAt(step / optimiser.steps, { learningRate: optimiser.learningRate, warmupFraction: 0, finalLrFraction: optimiser.finalLrFraction ?? 1 });
    if (adamStep) {
      // The gradient, the best-so-far copies and Adam in the adjoint's own pass over the parameters.
      adamStep(gradPsf, { kind: "adam", ...adam.nextStep(learningRate), trained: active, keepBest: improved, best });
    } else {
      keepBest();
      const gradParams = vjp(gradPsf);
      for (let b = 0; b < B; b++) if (!active[b]) gradParams.fill(0, b * plane, (b + 1) * plane);
      adam.step(params, gradParams, learningRate);
    }
    const hook = options.checkpoint;
    if (hook && ((performance.now() - lastSave) / 1000 >= hook.everySeconds || hook.signal?.aborted)) {
      lastSave = performance.now();
      hook.save({ status: "running", step: step + 1, params, best, bestPsfs, bestLoss, initialLoss, adam: adam.state(), history, bestMean, sinceImprovement });
      if (hook.signal?.aborted) throw new SynthesisInterrupted(step + 1);
    }
    // Let progress bars redraw and signals arrive between steps.
    await new Promise((resolve) => setImmediate(resolve));
  }
  // Inactive metasurfaces keep their start and its PSF.
  if (active.some((a) => !a)) {
    const psf = model.forward(best);
    for (let b = 0; b < B; b++) if (!active[b]) bestPsfs.set(unitSum(psf.subarray(b * window, (b + 1) * window)), b * window);
  }
  return {
    params: best,
    psfs: bestPsfs,
    initialLoss,
    finalLoss: Float64Array.from(bestLoss, (l, b) => (active[b] ? l : 0)),
    stepsRun: step,
    // Fewer steps than asked for: the plateau stopped it (with nothing to fit, the loop ends at once).
    stoppedEarly: step !== optimiser.steps && activeCount > 0,
    seconds: (performance.now() - start) / 1000,
    history,
  };
}

export interface BankSynthesisProgress extends SynthesisProgress {
  /** Chunk being fitted (0-based) and how many there are. */
  chunk: number;
  chunks: number;
}

export interface BankSynthesisResult extends SynthesisResult {
  chunks: number;
  /** Steps of the whole bank the chunks' steps add up to (sum of chunk steps x chunk size / bank size). */
  bankSteps: number;
}

/**
 * DKO of a whole bank, chunk by chunk (OpticsBank.chunks: one wavelength and a bounded number of cells
 * each). The metasurfaces' losses are independent, so each chunk is fitted by synthesizeMetasurfaces
 * with its own Adam state and early stopping, and only one chunk's parameters, moments and fields are
 * in memory at a time. The loss curve is the mean over the active metasurfaces per step, a chunk that
 * stopped counting with its last loss.
 */
export async function synthesizeBank(options: {
  bank: OpticsBank;
  /** [count, M, M] unit-sum targets (or all-zero for inactive ones). */
  targets: Float32Array;
  active: readonly boolean[];
  optimiser: DkoOptimiser;
  /** Cells per chunk (default OpticsBank's CHUNK_CELLS). */
  chunkCells?: number;
  onProgress?: (event: BankSynthesisProgress) => void;
  /** Resume from and save checkpoints, one hook per chunk (see synthesizeMetasurfaces). */
  checkpointFor?: (chunk: number) => SynthesisCheckpointHook;
}): Promise<BankSynthesisResult> {
  const start = performance.now();
  const { bank, targets, active, optimiser } = options;
  const B = bank.count;
  const plane = bank.optics.cells ** 2;
  const window = bank.windowPixels ** 2;
  if (targets.length !== B * window) throw new Error(`targets: expected [${B}, ${bank.windowPixels}, ${bank.windowPixels}] (${B * window} values), got ${targets.length}`);
  if (active.length !== B) throw new Error(`active: expected ${B} flags, got ${active.length}`);
  const params = largeFloat32Array(B * plane);
  const psfs = new Float32Array(B * window);
  const initialLoss = new Float64Array(B);
  const finalLoss = new Float64Array(B);
  const chunks = bank.chunks(options.chunkCells);
  const curves: { weight: number; history: number[] }[] = [];
  let stepsRun = 0;
  let stoppedEarly = true;
  let bankSteps = 0;
  for (const [chunk, indices] of chunks.entries()) {
    const result = await synthesizeMetasurfaces({
      model: bank.model("incident-energy", bank.metasurface, indices),
      targets: gather(targets, indices, window),
      active: indices.map((b) => active[b]),
      initialParams: bank.initialParams(optimiser.initNoise_rad, optimiser.seed, indices),
      optimiser,
      onProgress: (event) => options.onProgress?.({ ...event, chunk, chunks: chunks.length }),
      checkpoint: options.checkpointFor?.(chunk),
    });
    indices.forEach((b, i) => {
      params.set(result.params.subarray(i * plane, (i + 1) * plane), b * plane);
      psfs.set(result.psfs.subarray(i * window, (i + 1) * window), b * window);
      initialLoss[b] = result.initialLoss[i];
      finalLoss[b] = result.finalLoss[i];
    });
    const weight = indices.filter((b) => active[b]).length;
    if (weight > 0) curves.push({ weight, history: result.history });
    stepsRun = Math.max(stepsRun, result.stepsRun);
    stoppedEarly &&= result.stoppedEarly;
    bankSteps += (result.history.length * indices.length) / B;
  }
  const totalWeight = curves.reduce((sum, c) => sum + c.weight, 0);
  const length = Math.max(0, ...curves.map((c) => c.history.length));
  const history = Array.from({ length }, (_, s) =>
    curves.reduce((sum, c) => sum + c.weight * c.history[Math.min(s, c.history.length - 1)], 0) / Math.max(1, totalWeight),
  );
  return { params, psfs, initialLoss, finalLoss, stepsRun, stoppedEarly, seconds: (performance.now() - start) / 1000, history, chunks: chunks.length, bankSteps };
}
