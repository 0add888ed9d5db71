import type * as tfTypes from "@tensorflow/tfjs";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { DepthDataset } from "../data/types.js";
import type { DepthEvalProtocol } from "../eval/depth-protocol.js";
import type { SetMetrics } from "../eval/evaluate-depth.js";
import { meanOf, nmse } from "../eval/nmse.js";
import { writeJsonAtomic } from "../io/atomic.js";
import { writeNpy } from "../io/npy.js";
import type { DepthNet } from "../models/depth-net.js";
import { psfsToKernels } from "../optics/kernels.js";
import type { DkoConfig } from "./config.js";
import { SUB_IMAGE_PSFS_FILE } from "./design-files.js";
import { fabricatedParams, hasFabricationError } from "./fabrication-variants.js";
import type { PlaneStack } from "../optics/plane-stack.js";
import { kernelEfficiencies, kernelFits, type KernelFit } from "./fit-metrics.js";
import { ghostOrders } from "./ghost-orders.js";
import type { KernelBankShape } from "../optics/kernels.js";
import { OpticsBank } from "./optics-bank.js";
import { opticalFirstLayer } from "./optical-layer.js";
import { lightBudgetWarning } from "./light-budget.js";
import { sensorArrayDesign } from "./sensor-evaluation.js";
import type { SensorArrayEvaluation } from "./sensor-report.js";
import { DKO_SUMMARY_FORMAT, type DkoSummary } from "./summary.js";
import { directoryCheckpointHook, removeSynthesisCheckpoint, SYNTHESIS_CHECKPOINT_DIR, type SynthesisCheckpointHook } from "./synthesis-checkpoint.js";
import { synthesizeBank, type BankSynthesisProgress, type BankSynthesisResult } from "./synthesize.js";
import { extractKernelTargets, type KernelTargets } from "./targets.js";

/** Seconds between synthesis checkpoints (a chunk's is 0.13 GB at the default preset, 0.5 GB at the paper's). */
const SYNTHESIS_CHECKPOINT_SECONDS = 60;

type Stage1Run = Awaited<ReturnType<typeof import("../train/load-run.js").loadRun>>;

export type DkoProgress =
  | ({ phase: "synthesize" } & BankSynthesisProgress)
  | { phase: "evaluate"; label: string; done: number; total: number }
  | { phase: "finetune"; step: number; progress: number };

/**
 * Stage 2 of DKO on a trained stage-1 run: synthesise one metasurface per signed kernel part, realise
 * the kernels, and score the optical network (electronic back end behind the optical first layer)
 * against the electronic one on the test split, nominal and under fabrication-error draws; optionally
 * fine-tune the back end behind the frozen optical layer. Writes into `outDir` (default <run>/dko):
 *   params.npy [B, N, N]            metasurface parameters (config.optics.metasurface's meaning)
 *   psfs.npy [B, M, M]              realised unit-sum PSF windows of the design
 *   psf_targets.npy [B, M, M]       zero-padded unit-sum targets (flipped kernel parts)
 *   scales.npy [B]                  electronic scale per metasurface
 *   target_kernels.npy, realised_kernels.npy [k, k, 3, K]
 *   loss_history.npy [steps]        mean loss per step
 *   sensor_kernels.npy [S, S, 3, K] effective kernels of the sensor's image formation (when evaluation.sensorArray is set)
 *   sub_image_psfs.npy [B, P, P]    each metasurface's PSF over its own sub-image, per incident energy (with sensor_kernels.npy)
 *   summary.json                    everything else (per-kernel fits, times, memory, engine, metrics; src/dko/summary.ts)
 */
export interface RunDkoOptions {
  runDir: string;
  dataDir: string;
  outDir?: string;
  config: DkoConfig;
  onProgress?: (event: DkoProgress) => void;
  /**
   * Stops the synthesis or the back-end fine-tune after the current step with a checkpoint in outDir
   * (throws SynthesisInterrupted or FinetuneInterrupted); a rerun resumes from it.
   */
  signal?: AbortSignal;
}

/** Thrown when the signal stopped the back-end fine-tune; its checkpoint is in <outDir>/finetune. */
export class FinetuneInterrupted extends Error {
  constructor(readonly step: number) {
    super(`back-end fine-tune interrupted at step ${step}; checkpoint written`);
  }
}

export async function runDko(options: RunDkoOptions): Promise<{ outDir: string; summary: DkoSummary }> {
  const wallStart = performance.now();
  const tf: typeof tfTypes = await import("@tensorflow/tfjs");
  const { initEngine } = await import("../engine/backend.js");
  const { initComplexOps } = await import("../engine/complex/select.js");
  const { loadRun } = await import("../train/load-run.js");
  const { openDepthDataset } = await import("../data/depth-dataset.js");
  if (!existsSync(join(options.runDir, "config.json"))) {
    throw new Error(`run: ${options.runDir} is not a stage-1 run directory (no config.json); train one with \`optocnn train --out ${options.runDir}\``);
  }
  if (!existsSync(join(options.dataDir, "manifest.json"))) throw new Error(`data: ${options.dataDir} holds no depth data set (no manifest.json)`);
  const outDir = resolve(options.outDir ?? join(options.runDir, "dko"));
  if (existsSync(join(outDir, "summary.json"))) throw new Error(`out: ${outDir} already holds a DKO result (summary.json); choose another --out or remove it`);
  mkdirSync(outDir, { recursive: true });

  await initEngine();
  await initComplexOps();
  const stage1 = await loadRun(options.runDir);
  try {
    const dataset = await openDepthDataset(options.dataDir);
    // One checkpoint per chunk (chunks are fitted one after another, each with its own optimiser).
    const checkpointFor = (chunk: number) => directoryCheckpointHook(join(outDir, SYNTHESIS_CHECKPOINT_DIR, `chunk-${chunk}`), SYNTHESIS_CHECKPOINT_SECONDS, options.signal);
    const design = await designBank(stage1.net, options.config, options.onProgress, checkpointFor);
    const { metrics, sensorOutputs } = await scoreDesign(design, stage1, dataset, { ...options, outDir });
    writeDesignArrays(outDir, design, sensorOutputs);
    const summary = await dkoSummary(design, metrics, options, wallStart, { height: dataset.test.height, width: dataset.test.width });
    writeJsonAtomic(join(outDir, "summary.json"), summary);
    removeSynthesisCheckpoint(outDir);
    return { outDir, summary };
  } finally {
    stage1.net.dispose();
    tf.dispose([...stage1.extra.values()]);
  }
}

/** The synthesised bank and everything derived from it without images. */
interface BankDesign {
  config: DkoConfig;
  targets: KernelTargets;
  bank: OpticsBank;
  /** [B, M, M] zero-padded unit-sum targets of the fit windows. */
  windowTargets: PlaneStack;
  synthesis: BankSynthesisResult;
  synthesisSeconds: number;
  synthesisPeakRss_bytes: number;
  fits: KernelFit[];
  efficiencies: number[];
  /** [B, M, M] fit windows per incident energy (the light each metasurface puts there). */
  incidentPsfs: Float32Array;
  /** Signed kernels [k, k, 3, K] the design realises. */
  designKernels: Float32Array;
  /** Kernels of other parameters of the same bank (quantised, perturbed), through the fit model. */
  kernelsOf: (params: Float32Array) => Float32Array;
}

/** Stage 2 proper: targets from the first layer, synthesis (no images, no network), realised kernels. */
async function designBank(
  net: DepthNet,
  config: DkoConfig,
  onProgress?: (event: DkoProgress) => void,
  checkpointFor?: (chunk: number) => SynthesisCheckpointHook,
): Promise<BankDesign> {
  const targets = extractKernelTargets(net);
  const bank = new OpticsBank(config.optics, targets.shape);
  const windowTargets = bank.targetWindows(targets.targets);
  const synthesisStart = performance.now();
  const synthesis = await synthesizeBank({
    bank,
    targets: windowTargets.data,
    active: targets.active,
    optimiser: config.optimiser,
    onProgress: (event) => onProgress?.({ phase: "synthesize", ...event }),
    checkpointFor,
  });
  const synthesisSeconds = (performance.now() - synthesisStart) / 1000;
  const synthesisPeakRss_bytes = process.resourceUsage().maxRSS * 1024;
  const incidentPsfs = bank.forward("incident-energy", synthesis.params);
  return {
    config,
    targets,
    bank,
    windowTargets,
    synthesis,
    synthesisSeconds,
    synthesisPeakRss_bytes,
    fits: kernelFits(bank.windows(synthesis.psfs), windowTargets, bank.kernelSize),
    efficiencies: kernelEfficiencies(bank.windows(incidentPsfs), bank.kernelSize),
    incidentPsfs,
    designKernels: psfsToKernels(bank.windows(synthesis.psfs), targets.scales, targets.shape),
    kernelsOf: (params) => psfsToKernels(bank.windows(bank.forward("unit-sum", params)), targets.scales, targets.shape),
  };
}

interface DesignMetrics {
  evalProtocol: DepthEvalProtocol;
  testImages: number;
  electronic: SetMetrics;
  optical: SetMetrics;
  opticalQuantised?: SetMetrics;
  fabrication: { seed: number; test: SetMetrics }[];
  finetune?: { steps: number; runDir: string; test: SetMetrics; fabrication: { seed: number; test: SetMetrics }[] };
  sensorArray?: SensorArrayEvaluation;
}

/**
 * The optical network on the test split: the electronic reference, the design, its quantised version,
 * fabrication-error draws, and optionally the back end fine-tuned behind the fixed optical layer.
 */
async function scoreDesign(
  design: BankDesign,
  stage1: Stage1Run,
  dataset: DepthDataset,
  options: RunDkoOptions & { outDir: string },
): Promise<{ metrics: DesignMetrics; sensorOutputs?: SensorOutputs }> {
  const { evaluateDepth } = await import("../eval/evaluate-depth.js");
  const { defaultProtocol } = await import("../eval/depth-protocol.js");
  const { config, targets, bank } = design;
  const { net } = stage1;
  const stride = net.config.firstLayer.stride;
  // Scored like the stage-1 run, so electronic and optical numbers compare with its summary.
  const evalProtocol = stage1.config.evalProtocol ?? defaultProtocol(dataset.manifest.source);
  const testImages = Math.min(config.evaluation.testLimit ?? dataset.test.count, dataset.test.count);
  const score = (label: string, predict: (rgb: tfTypes.Tensor4D) => tfTypes.Tensor4D) =>
    evaluateDepth(predict, dataset.test, { protocol: evalProtocol, limit: testImages, onProgress: (done, total) => options.onProgress?.({ phase: "evaluate", label, done, total }) });
  const withKernels = async (label: string, kernels: Float32Array, predictNet: DepthNet = net, shape: KernelBankShape = targets.shape) => {
    const { layer, kernel } = opticalFirstLayer(kernels, shape, stride, `optical ${label}`);
    try {
      return await score(label, (rgb) => predictNet.predict(rgb, layer));
    } finally {
      kernel.dispose();
    }
  };

  const electronic = await score("electronic", (rgb) => net.predict(rgb));
  const optical = await withKernels("design", design.designKernels);
  // The same design with the sensor's image formation: halo and neighbours' light (the kernel-only model is `optical`).
  const sensor = config.evaluation.sensorArray
    ? sensorArrayDesign({
        bank,
        params: design.synthesis.params,
        scales: targets.scales,
        active: targets.active,
        fitWindowPsfs: design.incidentPsfs,
        targetKernels: targets.weights,
        kernelOnlyKernels: design.designKernels,
        imagePixels: { height: dataset.test.height, width: dataset.test.width },
        settings: config.evaluation.sensorArray,
        onProgress: (done, total) => options.onProgress?.({ phase: "evaluate", label: "sensor array: PSFs over the array", done, total }),
      })
    : undefined;
  const sensorArray = sensor ? { ...sensor.report, test: await withKernels("sensor array", sensor.kernels, net, sensor.shape) } : undefined;
  const levels = config.evaluation.quantiseLevels;
  const nominalKernels = levels !== undefined ? design.kernelsOf(fabricatedParams(bank, design.synthesis.params, config.evaluation)) : design.designKernels;
  const opticalQuantised = levels !== undefined ? await withKernels(`${levels}-level phase`, nominalKernels) : undefined;
  const drawSeeds = hasFabricationError(config.evaluation) ? Array.from({ length: config.evaluation.fabricationDraws }, (_, d) => 1000 + d) : [];
  const drawKernels = drawSeeds.map((seed) => design.kernelsOf(fabricatedParams(bank, design.synthesis.params, config.evaluation, { seed })));
  const scoreDraws = async (label: string, predictNet: DepthNet) => {
    const draws = [];
    for (const [d, kernels] of drawKernels.entries()) draws.push({ seed: drawSeeds[d], test: await withKernels(`${label}draw ${d}`, kernels, predictNet) });
    return draws;
  };
  const fabrication = await scoreDraws("fabrication ", net);
  const finetune =
    config.evaluation.finetuneSteps > 0
      ? await finetuneBackEnd(nominalKernels, design, stage1, dataset, { ...options, evalProtocol }, (predictNet) => score("fine-tuned", predictNet), scoreDraws)
      : undefined;
  return {
    metrics: { evalProtocol, testImages, electronic, optical, opticalQuantised, fabrication, finetune, sensorArray },
    sensorOutputs: sensor ? { kernels: sensor.kernels, shape: sensor.shape, subImagePsfs: sensor.subImagePsfs, subImagePixels: sensor.report.subImagePixels } : undefined,
  };
}

/** Fine-tunes the back end behind the fixed optical layer, then scores it nominal and under the same draws. */
async function finetuneBackEnd(
  nominalKernels: Float32Array,
  design: BankDesign,
  stage1: Stage1Run,
  dataset: DepthDataset,
  options: RunDkoOptions & { outDir: string; evalProtocol: DepthEvalProtocol },
  scoreNominal: (predict: (rgb: tfTypes.Tensor4D) => tfTypes.Tensor4D) => Promise<SetMetrics>,
  scoreDraws: (label: string, net: DepthNet) => Promise<{ seed: number; test: SetMetrics }[]>,
): Promise<DesignMetrics["finetune"]> {
  const { trainDepth } = await import("../train/train-depth.js");
  const { config, targets } = design;
  const steps = config.evaluation.finetuneSteps;
  const levels = config.evaluation.quantiseLevels;
  const { layer, kernel } = opticalFirstLayer(nominalKernels, targets.shape, stage1.net.config.firstLayer.stride, levels !== undefined ? `optical ${levels}-level phase (fixed)` : "optical design (fixed)");
  const runDir = join(options.outDir, "finetune");
  try {
    const result = await trainDepth({
      // An interrupted fine-tune (config.json written) continues from its checkpoint.
      resume: existsSync(join(runDir, "config.json")),
      signal: options.signal,
      runDir,
      dataset,
      config: { preset: stage1.config.preset, net: stage1.config.net, train: stage1.config.train },
      budget: { steps },
      evalProtocol: options.evalProtocol,
      firstLayer: layer,
      initWeightsFrom: options.runDir,
      onProgress: (event) => options.onProgress?.({ phase: "finetune", step: event.step, progress: event.progress }),
    });
    const tuned = result.net;
    if (result.status === "interrupted") {
      tuned.dispose();
      throw new FinetuneInterrupted(result.step);
    }
    try {
      const test = await scoreNominal((rgb) => tuned.predict(rgb, layer));
      return { steps, runDir, test, fabrication: await scoreDraws("fine-tuned, ", tuned) };
    } finally {
      tuned.dispose();
    }
  } finally {
    kernel.dispose();
  }
}

/** What the sensor formation adds to the outputs: its effective kernels and the sub-image PSFs [B, P, P] behind its bookkeeping. */
interface SensorOutputs {
  kernels: Float32Array;
  shape: KernelBankShape;
  subImagePsfs: Float32Array;
  subImagePixels: number;
}

function writeDesignArrays(outDir: string, design: BankDesign, sensor?: SensorOutputs): void {
  const { bank, synthesis, targets, config } = design;
  const M = bank.windowPixels;
  const k = bank.kernelSize;
  const kernelShape = [k, k, targets.shape.inChannels, targets.shape.outChannels];
  writeNpy(join(outDir, "params.npy"), { data: synthesis.params, shape: [bank.count, config.optics.cells, config.optics.cells] });
  writeNpy(join(outDir, "psfs.npy"), { data: synthesis.psfs, shape: [bank.count, M, M] });
  writeNpy(join(outDir, "psf_targets.npy"), { data: design.windowTargets.data, shape: [bank.count, M, M] });
  writeNpy(join(outDir, "scales.npy"), { data: targets.scales, shape: [bank.count] });
  writeNpy(join(outDir, "target_kernels.npy"), { data: targets.weights, shape: kernelShape });
  writeNpy(join(outDir, "realised_kernels.npy"), { data: design.designKernels, shape: kernelShape });
  writeNpy(join(outDir, "loss_history.npy"), { data: Float32Array.from(synthesis.history), shape: [synthesis.history.length] });
  if (sensor) {
    const S = sensor.shape.kernelSize;
    writeNpy(join(outDir, "sensor_kernels.npy"), { data: sensor.kernels, shape: [S, S, sensor.shape.inChannels, sensor.shape.outChannels] });
    writeNpy(join(outDir, SUB_IMAGE_PSFS_FILE), { data: sensor.subImagePsfs, shape: [bank.count, sensor.subImagePixels, sensor.subImagePixels] });
  }
}

async function dkoSummary(design: BankDesign, metrics: DesignMetrics, options: RunDkoOptions, wallStart: number, imagePixels: { height: number; width: number }): Promise<DkoSummary> {
  const { runEnvironment } = await import("../engine/run-environment.js");
  const { config, bank, synthesis, targets, fits, efficiencies } = design;
  const isActive = (_: unknown, b: number) => targets.active[b];
  const activeFits = fits.filter(isActive);
  // The ghosts land relative to the array pitch: the sensor formation's when it is scored, else zero spacing.
  const ghosts = ghostOrders({ ...config.optics, wavelengths_m: config.optics.channelWavelengths_m, pitch_m: metrics.sensorArray?.pitch_m, imagePixels });
  const lightBudget = lightBudgetWarning(meanOf(efficiencies.filter(isActive)), config.optimiser.efficiencyWeight ?? 0, metrics.optical, metrics.sensorArray?.test);
  const warnings = [bank.validity.warning, ghosts.warning, metrics.sensorArray?.reach.warning, lightBudget].filter((w): w is string => !!w);
  return {
    format: DKO_SUMMARY_FORMAT,
    stage1Run: resolve(options.runDir),
    data: resolve(options.dataDir),
    config,
    bank: {
      metasurfaces: bank.count,
      active: activeFits.length,
      order: "index = (sign * K + out) * 3 + in; sign 0 = positive part (see src/optics/kernels.ts)",
      wavelengths_m: bank.wavelengths_m,
      kernelSize: bank.kernelSize,
      fitWindowPixels: bank.windowPixels,
      subsamplesPerPixel: bank.subsamplesPerPixel,
      aperture_m: config.optics.cells * config.optics.cellPitch_m,
      parameterMeaning: bank.metasurface.parameterMeaning,
      /** How far the window model can be trusted here: its neglected phase and a warning past the limit. */
      validity: bank.validity,
      ghostOrders: ghosts,
    },
    synthesis: {
      steps: synthesis.stepsRun,
      stoppedEarly: synthesis.stoppedEarly,
      seconds: design.synthesisSeconds,
      /** Metasurfaces are fitted in chunks with their own early stopping; a step is one of the whole bank. */
      chunks: synthesis.chunks,
      bankSteps: synthesis.bankSteps,
      secondsPerStep: design.synthesisSeconds / Math.max(1, synthesis.bankSteps),
      peakRss_bytes: design.synthesisPeakRss_bytes,
      initialLoss: meanOf(Array.from(synthesis.initialLoss).filter(isActive)),
      finalLoss: meanOf(Array.from(synthesis.finalLoss).filter(isActive)),
      meanNmse: meanOf(activeFits.map((f) => f.nmse)),
      meanCorrelation: meanOf(activeFits.map((f) => f.correlation)),
      meanEnergyOutsideKernel: meanOf(activeFits.map((f) => f.energyOutsideKernel)),
      meanKernelEfficiency: meanOf(efficiencies.filter(isActive)),
      kernelBankNmse: nmse(design.designKernels, targets.weights),
    },
    kernels: fits.map((fit, b) => ({
      index: b,
      active: targets.active[b],
      wavelength_m: bank.wavelengths_m[b],
      scale: targets.scales[b],
      initialLoss: synthesis.initialLoss[b],
      finalLoss: synthesis.finalLoss[b],
      ...fit,
      kernelEfficiency: efficiencies[b],
    })),
    metrics: {
      ...metrics,
      fabricationMeanAbsRel: metrics.fabrication.length ? meanOf(metrics.fabrication.map((f) => f.test.absRel)) : undefined,
    },
    warnings,
    ...runEnvironment(wallStart),
  };
}
