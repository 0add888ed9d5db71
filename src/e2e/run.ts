import type * as tfTypes from "@tensorflow/tfjs";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { DepthDataset } from "../data/types.js";
import type { DkoOptics, SensorArraySettings } from "../dko/config.js";
import type { SensorArrayEvaluation } from "../dko/sensor-report.js";
import type { SetMetrics } from "../eval/evaluate-depth.js";
import { nmse } from "../eval/nmse.js";
import { writeJsonAtomic } from "../io/atomic.js";
import { writeNpy } from "../io/npy.js";
import type { Budget } from "../models/depth-net-config.js";
import type { DepthRunConfig } from "../train/run-files.js";
import type { TrainProgress } from "../train/train-depth.js";
import { E2eSettingsSchema, PositiveBudgetSchema, parseSettings, type E2eSettings } from "./config.js";

/**
 * One E2E run: the DKO optics bank of `optics`, made trainable (e2eOpticalLayer), trained with trainDepth
 * (checkpoints include the metasurface parameters and scales, so a run resumes exactly) under a budget.
 * Writes into runDir, besides trainDepth's files (config.json, metrics.csv, checkpoints/, weights/):
 *   params.npy [B, N, N], scales.npy [B], realised_kernels.npy [k, k, 3, K] (the crop),
 *   formation_kernels.npy [S, S, 3, K] (what the network convolves with in its image formation)
 *   e2e-summary.json    E2eSummary
 */
export interface RunE2eOptions {
  runDir: string;
  dataset: DepthDataset;
  /** The network and training settings (a preset's run config); the back end's shape must match stage 1's. */
  config: DepthRunConfig;
  optics: DkoOptics;
  settings: E2eSettings;
  budget: Budget;
  /** Stage-1 run: the back end of "optics-only" / "joint-stage1", the teacher of "stage1-prediction", the kernels NMSE is measured against. */
  stage1Dir?: string;
  resume?: boolean;
  signal?: AbortSignal;
  onProgress?: (event: TrainProgress) => void;
  /** Also score the trained design with the sensor's image formation (kernel-crop runs only). */
  sensorArray?: SensorArraySettings;
  onSensorProgress?: (done: number, total: number) => void;
}

export const E2E_SUMMARY_FORMAT = "optocnn-e2e-summary/1";

export interface E2eSummary {
  format: typeof E2E_SUMMARY_FORMAT;
  settings: E2eSettings;
  optics: DkoOptics;
  stage1Run?: string;
  layer: string;
  steps: number;
  trainSeconds: number;
  secondsPerStep: number;
  trainableParameters: number;
  test: SetMetrics;
  /** NMSE of the realised kernels against the stage-1 kernels (when a stage-1 run is given). */
  kernelBankNmse?: number;
  /** The same network with the sensor's image formation (halo and neighbours), when asked for. */
  sensorArray?: SensorArrayEvaluation;
}

export async function runE2e(options: RunE2eOptions): Promise<{ status: "finished" | "interrupted"; step: number; summary?: E2eSummary }> {
  const tf: typeof tfTypes = await import("@tensorflow/tfjs");
  const { initEngine } = await import("../engine/backend.js");
  const { initComplexOps } = await import("../engine/complex/select.js");
  const { trainDepth } = await import("../train/train-depth.js");
  const { loadRun } = await import("../train/load-run.js");
  const { buildDepthNet } = await import("../models/depth-net.js");
  const { OpticsBank } = await import("../dko/optics-bank.js");
  const { extractKernelTargets } = await import("../dko/targets.js");
  const { e2eOpticalLayer } = await import("./optical-layer.js");
  const { e2eSensorEvaluation } = await import("./sensor-score.js");
  const settings = parseSettings(E2eSettingsSchema, options.settings, "e2e");
  const budget = parseSettings(PositiveBudgetSchema, options.budget, "budget");
  const runDir = resolve(options.runDir);
  const needsStage1 = settings.variant !== "joint-scratch" || settings.target === "stage1-prediction";
  if (needsStage1 && !options.stage1Dir) throw new Error(`stage1: variant "${settings.variant}" with target "${settings.target}" needs a stage-1 run (--stage1 DIR)`);
  if (options.sensorArray && settings.imageFormation !== "kernel-crop") {
    throw new Error(`sensorArray: the sensor's image formation is scored against the kernel-crop model; imageFormation is "${settings.imageFormation}" (use kernel-crop, or drop the sensor scoring)`);
  }
  if (!options.resume && existsSync(join(runDir, "config.json"))) throw new Error(`${runDir} already holds a run (config.json); pass --resume to continue it, or choose another --out (nothing was changed)`);

  await initEngine();
  await initComplexOps();
  const stage1 = options.stage1Dir ? await loadRun(options.stage1Dir) : null;
  try {
    if (stage1) checkStage1Matches(stage1.config.net, options.config.net, options.stage1Dir!);
    // The scales start at the part sums of the kernels the back end was trained with (DKO's scales), or
    // of the fresh network's kernels (the network trainDepth builds with the same seed) from scratch.
    const fresh = settings.variant === "joint-scratch" ? buildDepthNet(options.config.net) : null;
    const targets = extractKernelTargets(fresh ?? stage1!.net);
    fresh?.dispose();
    const bank = new OpticsBank(options.optics, targets.shape);
    const layer = e2eOpticalLayer(bank, {
      params: bank.initialParams(settings.initNoise_rad, settings.seed),
      scales: targets.scales,
      trainScales: settings.trainScales,
      formation: settings.imageFormation,
      parameterStepFactor: settings.opticsLearningRate / options.config.train.learningRate,
      stride: options.config.net.firstLayer.stride,
    });
    try {
      mkdirSync(runDir, { recursive: true });
      const teacherNet = settings.target === "stage1-prediction" ? stage1!.net : null;
      const result = await trainDepth({
        runDir,
        dataset: options.dataset,
        config: options.resume ? undefined : options.config,
        budget,
        firstLayer: layer,
        trainBackEnd: settings.variant !== "optics-only",
        initWeightsFrom: settings.variant === "joint-scratch" ? undefined : options.stage1Dir,
        resume: options.resume,
        teacher: teacherNet ? (rgb) => teacherNet.predict(rgb) : undefined,
        signal: options.signal,
        onProgress: options.onProgress,
      });
      if (result.status === "interrupted") {
        result.net.dispose();
        return { status: "interrupted", step: result.step };
      }
      const run = result.summary!;
      const realised = layer.realisedKernels();
      // Read back once: the parameters are a 100 MB copy at the default preset.
      const params = layer.params();
      const scales = layer.scales();
      let sensorArray: SensorArrayEvaluation | undefined;
      try {
        if (options.sensorArray) {
          sensorArray = await e2eSensorEvaluation({
            bank,
            params,
            scales,
            targetKernels: targets.weights,
            kernelOnlyKernels: realised,
            net: result.net,
            dataset: options.dataset,
            protocol: run.evalProtocol,
            settings: options.sensorArray,
            onProgress: options.onSensorProgress,
          });
        }
      } finally {
        result.net.dispose();
      }
      const k = targets.shape.kernelSize;
      const kernelShape = [k, k, targets.shape.inChannels, targets.shape.outChannels];
      writeNpy(join(runDir, "params.npy"), { data: params, shape: [bank.count, options.optics.cells, options.optics.cells] });
      writeNpy(join(runDir, "scales.npy"), { data: scales, shape: [bank.count] });
      writeNpy(join(runDir, "realised_kernels.npy"), { data: realised, shape: kernelShape });
      const formation = layer.formationKernels();
      writeNpy(join(runDir, "formation_kernels.npy"), { data: Float32Array.from(formation.dataSync()), shape: formation.shape });
      formation.dispose();
      const summary: E2eSummary = {
        format: E2E_SUMMARY_FORMAT,
        settings,
        optics: options.optics,
        stage1Run: options.stage1Dir ? resolve(options.stage1Dir) : undefined,
        layer: layer.description,
        steps: run.steps,
        trainSeconds: run.trainSeconds,
        secondsPerStep: run.trainSeconds / Math.max(1, run.steps),
        trainableParameters: run.trainableParameterCount,
        test: run.test,
        kernelBankNmse: stage1 ? nmse(realised, extractKernelTargets(stage1.net).weights) : undefined,
        sensorArray,
      };
      writeJsonAtomic(join(runDir, "e2e-summary.json"), summary);
      return { status: "finished", step: run.steps, summary };
    } finally {
      layer.dispose();
    }
  } finally {
    stage1?.net.dispose();
    if (stage1) tf.dispose([...stage1.extra.values()]);
  }
}

/** The stage-1 network must have the first layer (and back end) the preset's optics bank is built for. */
function checkStage1Matches(stage1Net: DepthRunConfig["net"], net: DepthRunConfig["net"], stage1Dir: string): void {
  const fields: [string, unknown, unknown][] = [
    ["net.firstLayer.kernels", stage1Net.firstLayer.kernels, net.firstLayer.kernels],
    ["net.firstLayer.size", stage1Net.firstLayer.size, net.firstLayer.size],
    ["net.firstLayer.stride", stage1Net.firstLayer.stride, net.firstLayer.stride],
    ["net.encoder", JSON.stringify(stage1Net.encoder), JSON.stringify(net.encoder)],
    ["net.decoderChannels", JSON.stringify(stage1Net.decoderChannels), JSON.stringify(net.decoderChannels)],
    ["net.inputHeight", stage1Net.inputHeight, net.inputHeight],
    ["net.inputWidth", stage1Net.inputWidth, net.inputWidth],
  ];
  const wrong = fields.filter(([, a, b]) => a !== b).map(([name, a, b]) => `${name}: the stage-1 run has ${a}, the E2E preset expects ${b}`);
  if (wrong.length) throw new Error(`stage1: ${stage1Dir} does not match the optics preset's network (nothing was written):\n  ${wrong.join("\n  ")}`);
}

/** Summary of a finished E2E run directory, or null. */
export function readE2eSummary(runDir: string): E2eSummary | null {
  const path = join(runDir, "e2e-summary.json");
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, "utf8")) as E2eSummary;
}
