import type * as tfTypes from "@tensorflow/tfjs";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeJsonAtomic } from "../io/atomic.js";
import { writeNpy } from "../io/npy.js";
import { padCentred } from "../optics/grid.js";
import { psfsToKernels } from "../optics/kernels.js";
import type { DkoConfig } from "./config.js";
import { fabricatedParams, hasFabricationError } from "./fabrication-variants.js";
import { kernelEfficiencies, kernelFits } from "./fit-metrics.js";
import { OpticsBank } from "./optics-bank.js";
import { opticalFirstLayer } from "./optical-layer.js";
import { synthesizeBank, type BankSynthesisProgress } from "./synthesize.js";
import { extractKernelTargets } from "./targets.js";

type Stage1Run = Awaited<ReturnType<typeof import("../train/load-run.js").loadRun>>;

export const DKO_SUMMARY_FORMAT = "optocnn-dko/1";

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
 *   summary.json                    everything else (per-kernel fits, times, memory, engine, metrics)
 */
export interface RunDkoOptions {
  runDir: string;
  dataDir: string;
  outDir?: string;
  config: DkoConfig;
  onProgress?: (event: DkoProgress) => void;
}

export async function runDko(options: RunDkoOptions) {
  const wallStart = performance.now();
  const tf: typeof tfTypes = await import("@tensorflow/tfjs");
  const { initEngine } = await import("../engine/backend.js");
  const { initComplexOps } = await import("../engine/complex/select.js");
  const { loadRun } = await import("../train/load-run.js");
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
    return await synthesizeAndScore(stage1, { ...options, outDir }, wallStart);
  } finally {
    stage1.net.dispose();
    tf.dispose([...stage1.extra.values()]);
  }
}

async function synthesizeAndScore(
  stage1: Stage1Run,
  options: RunDkoOptions & { outDir: string },
  wallStart: number,
) {
  const { engineInfo } = await import("../engine/backend.js");
  const { complexOpsInfo } = await import("../engine/complex/select.js");
  const { openDepthDataset } = await import("../data/depth-dataset.js");
  const { evaluateDepth } = await import("../eval/evaluate-depth.js");
  const { config, onProgress, outDir } = options;
  const dataset = await openDepthDataset(options.dataDir);
  const { net } = stage1;
  const stride = net.config.firstLayer.stride;
  const depthRange_m = net.config.depthRange_m as [number, number];
  const targets = extractKernelTargets(net);
  const bank = new OpticsBank(config.optics, targets.shape);
  const M = bank.windowPixels;
  const k = bank.kernelSize;
  const windowTargets = padCentred(targets.targets, bank.count, k, M);

  // Stage 2 proper: no images, no network.
  const synthesisStart = performance.now();
  const synthesis = await synthesizeBank({
    bank,
    targets: windowTargets,
    active: targets.active,
    optimiser: config.optimiser,
    onProgress: (event) => onProgress?.({ phase: "synthesize", ...event }),
  });
  const synthesisSeconds = (performance.now() - synthesisStart) / 1000;
  const synthesisPeakRss_bytes = process.resourceUsage().maxRSS * 1024;

  const fits = kernelFits(synthesis.psfs, windowTargets, bank.count, M, k);
  const efficiencies = kernelEfficiencies(bank.forward("incident-energy", synthesis.params), bank.count, M, k);
  const designKernels = psfsToKernels(synthesis.psfs, M, targets.scales, targets.shape);

  const testCount = Math.min(config.evaluation.testLimit ?? dataset.test.count, dataset.test.count);
  const score = async (label: string, predict: (rgb: tfTypes.Tensor4D) => tfTypes.Tensor4D) =>
    evaluateDepth(predict, dataset.test, { depthRange_m, limit: testCount, onProgress: (done, total) => onProgress?.({ phase: "evaluate", label, done, total }) });
  const withKernels = async (label: string, kernels: Float32Array, predictNet = net) => {
    const { layer, kernel } = opticalFirstLayer(kernels, targets.shape, stride, `optical ${label}`);
    try {
      return await score(label, (rgb) => predictNet.predict(rgb, layer));
    } finally {
      kernel.dispose();
    }
  };
  const kernelsOf = (params: Float32Array) => psfsToKernels(bank.forward("unit-sum", params), M, targets.scales, targets.shape);

  const electronic = await score("electronic", (rgb) => net.predict(rgb));
  const optical = await withKernels("design", designKernels);
  const quantised = config.evaluation.quantiseLevels !== undefined;
  const nominalKernels = quantised ? kernelsOf(fabricatedParams(bank, synthesis.params, config.evaluation)) : designKernels;
  const opticalQuantised = quantised ? await withKernels(`${config.evaluation.quantiseLevels}-level phase`, nominalKernels) : undefined;
  const drawSeeds = hasFabricationError(config.evaluation) ? Array.from({ length: config.evaluation.fabricationDraws }, (_, d) => 1000 + d) : [];
  const drawKernels = drawSeeds.map((seed) => kernelsOf(fabricatedParams(bank, synthesis.params, config.evaluation, { seed })));
  const fabrication = [];
  for (const [d, kernels] of drawKernels.entries()) fabrication.push({ seed: drawSeeds[d], test: await withKernels(`fabrication draw ${d}`, kernels) });

  let finetune;
  if (config.evaluation.finetuneSteps > 0) {
    const { trainDepth } = await import("../train/train-depth.js");
    const { layer, kernel } = opticalFirstLayer(nominalKernels, targets.shape, stride, quantised ? `optical ${config.evaluation.quantiseLevels}-level phase (fixed)` : "optical design (fixed)");
    const runDir = join(outDir, "finetune");
    try {
      const result = await trainDepth({
        runDir,
        dataset,
        config: { preset: stage1.config.preset, net: stage1.config.net, train: stage1.config.train },
        budget: { steps: config.evaluation.finetuneSteps },
        firstLayer: layer,
        initWeightsFrom: options.runDir,
        onProgress: (event) => onProgress?.({ phase: "finetune", step: event.step, progress: event.progress }),
      });
      const tuned = result.net;
      try {
        const test = await score("fine-tuned", (rgb) => tuned.predict(rgb, layer));
        const draws = [];
        for (const [d, kernels] of drawKernels.entries()) draws.push({ seed: drawSeeds[d], test: await withKernels(`fine-tuned, draw ${d}`, kernels, tuned) });
        finetune = { steps: config.evaluation.finetuneSteps, runDir, test, fabrication: draws };
      } finally {
        tuned.dispose();
      }
    } finally {
      kernel.dispose();
    }
  }

  const { shape } = targets;
  const bankShape = [bank.count, config.optics.cells, config.optics.cells];
  writeNpy(join(outDir, "params.npy"), { data: synthesis.params, shape: bankShape });
  writeNpy(join(outDir, "psfs.npy"), { data: synthesis.psfs, shape: [bank.count, M, M] });
  writeNpy(join(outDir, "psf_targets.npy"), { data: windowTargets, shape: [bank.count, M, M] });
  writeNpy(join(outDir, "scales.npy"), { data: targets.scales, shape: [bank.count] });
  const kernelShape = [k, k, shape.inChannels, shape.outChannels];
  writeNpy(join(outDir, "target_kernels.npy"), { data: targets.weights, shape: kernelShape });
  writeNpy(join(outDir, "realised_kernels.npy"), { data: designKernels, shape: kernelShape });
  writeNpy(join(outDir, "loss_history.npy"), { data: Float32Array.from(synthesis.history), shape: [synthesis.history.length] });

  const activeFits = fits.filter((_, b) => targets.active[b]);
  const mean = (values: number[]) => (values.length ? values.reduce((a, v) => a + v, 0) / values.length : 0);
  const kernelError = (realised: Float32Array) => {
    let err = 0;
    let norm = 0;
    for (let i = 0; i < realised.length; i++) {
      err += (realised[i] - targets.weights[i]) ** 2;
      norm += targets.weights[i] ** 2;
    }
    return norm > 0 ? err / norm : 0;
  };
  const summary = {
    format: DKO_SUMMARY_FORMAT,
    stage1Run: resolve(options.runDir),
    data: resolve(options.dataDir),
    config,
    bank: {
      metasurfaces: bank.count,
      active: activeFits.length,
      order: "index = (sign * K + out) * 3 + in; sign 0 = positive part (see src/optics/kernels.ts)",
      wavelengths_m: bank.wavelengths_m,
      kernelSize: k,
      fitWindowPixels: M,
      subsamplesPerPixel: bank.subsamplesPerPixel,
      aperture_m: config.optics.cells * config.optics.cellPitch_m,
      parameterMeaning: bank.metasurface.parameterMeaning,
    },
    synthesis: {
      steps: synthesis.stepsRun,
      stoppedEarly: synthesis.stoppedEarly,
      seconds: synthesisSeconds,
      /** Metasurfaces are fitted in chunks with their own early stopping; a step is one of the whole bank. */
      chunks: synthesis.chunks,
      bankSteps: synthesis.bankSteps,
      secondsPerStep: synthesisSeconds / Math.max(1, synthesis.bankSteps),
      peakRss_bytes: synthesisPeakRss_bytes,
      initialLoss: mean(Array.from(synthesis.initialLoss).filter((_, b) => targets.active[b])),
      finalLoss: mean(Array.from(synthesis.finalLoss).filter((_, b) => targets.active[b])),
      meanNmse: mean(activeFits.map((f) => f.nmse)),
      meanCorrelation: mean(activeFits.map((f) => f.correlation)),
      meanEnergyOutsideKernel: mean(activeFits.map((f) => f.energyOutsideKernel)),
      meanKernelEfficiency: mean(efficiencies.filter((_, b) => targets.active[b])),
      /** ||W_realised - W||^2 / ||W||^2 of the signed kernel bank. */
      kernelBankNmse: kernelError(designKernels),
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
      testImages: testCount,
      electronic,
      optical,
      opticalQuantised,
      fabrication,
      fabricationMeanAbsRel: fabrication.length ? mean(fabrication.map((f) => f.test.absRel)) : undefined,
      finetune,
    },
    engine: engineInfo(),
    complexOps: complexOpsInfo(),
    wallSeconds: (performance.now() - wallStart) / 1000,
    peakRss_bytes: process.resourceUsage().maxRSS * 1024,
  };
  writeJsonAtomic(join(outDir, "summary.json"), summary);
  return { outDir, summary };
}

export type DkoSummary = Awaited<ReturnType<typeof runDko>>["summary"];
