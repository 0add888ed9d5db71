import type * as tfTypes from "@tensorflow/tfjs";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { DepthDataset } from "../data/types.js";
import type { DkoConfig } from "../dko/config.js";
import type { SetMetrics } from "../eval/evaluate-depth.js";
import { defaultProtocol } from "../eval/depth-protocol.js";
import { nmse } from "../eval/nmse.js";
import { writeJsonAtomic } from "../io/atomic.js";
import { unitFiles } from "../io/json-file.js";
import { readNpy, writeNpy } from "../io/npy.js";
import type { DepthRunConfig } from "../train/run-files.js";
import {
  COMPARE_SUMMARY_FORMAT, curvesCsv, spreadOf, summariseBudget,
  type BudgetResult, type CostRow, type CurvePoint, type MethodResult, type ReferenceResult, type SeedResult,
} from "./compare-summary.js";
import { CompareSettingsSchema, parseSettings, type CompareSettings, type E2eSettings, type E2eVariant } from "./config.js";
import { depthNetForwardFlops, psfFlops, trainStepFlops } from "./flops.js";
import { formationKernelSize } from "./kernel-tensor.js";
import { kernelsOnWrongChannels, kernelsWithNoise, randomKernelsOfSameNorm } from "./reference-kernels.js";

/**
 * `optocnn compare`: DKO against E2E from the same data and seeds at several budgets, in one process so
 * every second is measured on the same machine under the same load.
 *
 * The budget: optimisation seconds (the time inside training / synthesis steps, as trainDepth and the
 * DKO synthesis measure it; data loading, validation and scoring excluded), with counted FLOPs beside.
 * At budget factor f, DKO trains stage 1 for f x stage1Steps and synthesises for f x dkoSteps; its spend
 * T = stage-1 seconds + stage-2 seconds. E2E from scratch gets T seconds; the E2E variants that start
 * from that stage-1 run get T minus the stage-1 seconds (their total is T as well).
 *
 * Writes into outDir: seed-<s>/x<f>/{stage1, dko, e2e-<variant>} (the runs), summary.json
 * (CompareSummary), metrics.csv (accuracy versus elapsed seconds) and examples/ (test predictions of
 * the first seed at the factor closest to 1, for the depth-map figure).
 *
 * Resuming: a finished budget of a seed (a unit) is saved as seed-<s>/x<f>/result.json. A rerun in the
 * same directory takes those and runs the others from scratch: a unit's methods share one budget
 * measured in one process, so an interrupted unit cannot continue in another. Units from several
 * processes are named in the summary (`resumed`, `processes`, a warning): their seconds, and the cost
 * table's means over them, were measured under different loads.
 */
export interface RunCompareOptions {
  outDir: string;
  dataset: DepthDataset;
  settings: CompareSettings;
  /** Stage-1 network and training settings for a seed (the preset's). */
  runConfig: (seed: number) => DepthRunConfig;
  /** DKO settings for a seed and a stage-2 step count (the preset's). */
  dkoConfig: (seed: number, steps: number) => DkoConfig;
  /** E2E settings (the preset's); variant, seed and image formation are set per run. */
  e2e: E2eSettings;
  log?: (line: string) => void;
  /** Stops at the next step of the unit in progress (throws CompareInterrupted); finished units are kept. */
  signal?: AbortSignal;
}

/** Thrown when the signal stopped a comparison; `kept` names the finished units (budget factor and seed). */
export class CompareInterrupted extends Error {
  constructor(readonly kept: string[], readonly stoppedIn: string, readonly dir: string) {
    super(`comparison in ${dir} interrupted in ${stoppedIn}; kept: ${kept.join(", ") || "nothing"}`);
  }
}

const UNIT_FORMAT = "optocnn-compare-unit/1";

/** A finished unit (a budget of a seed) as saved in its result.json. */
interface UnitResult {
  /** The process that measured its seconds. */
  process: string;
  seed: SeedResult;
  secondsPerStep: [string, number][];
}

export interface CompareSummary {
  format: typeof COMPARE_SUMMARY_FORMAT;
  settings: CompareSettings;
  budgetDefinition: string;
  data: string;
  testImages: number;
  budgets: BudgetResult[];
  cost: CostRow[];
  engine: unknown;
  cpu: string;
  /** Seconds of the last process only when units were resumed from earlier ones. */
  wallSeconds: number;
  /** Processes that measured the units (1 for an uninterrupted run). */
  processes: number;
  /** Units taken from an earlier, interrupted process ("x1 seed 0"). */
  resumed: string[];
  /** What the process held after each unit it ran: a count of tensors that grows from unit to unit is a leak. */
  memoryAfterUnits: UnitMemory[];
  warnings: string[];
}

export interface UnitMemory {
  unit: string;
  /** tf.memory() of the backend: live tensors and their bytes. */
  tensors: number;
  tensorBytes: number;
  rssBytes: number;
}

export const BUDGET_DEFINITION =
  "optimisation seconds measured in this process (time inside training and synthesis steps; data loading, validation and scoring excluded), with counted FLOPs beside. " +
  "At factor f DKO gets f x the preset's stage-1 and stage-2 steps; its spend T = stage-1 + stage-2 seconds. E2E from scratch trains for T seconds; " +
  "E2E variants that start from DKO's stage-1 run train for T minus the stage-1 seconds.";

export async function runCompare(options: RunCompareOptions): Promise<CompareSummary> {
  const wallStart = performance.now();
  const { cpus } = await import("node:os");
  const { initEngine, engineInfo } = await import("../engine/backend.js");
  const { initComplexOps } = await import("../engine/complex/select.js");
  const tf: typeof tfTypes = await import("@tensorflow/tfjs");
  const settings = parseSettings(CompareSettingsSchema, options.settings, "compare");
  if (settings.sensorArray && settings.imageFormation !== "kernel-crop") {
    throw new Error(`compare.sensorArray: the sensor's image formation is scored against the kernel-crop model; compare.imageFormation is "${settings.imageFormation}"`);
  }
  const log = options.log ?? (() => {});
  await initEngine();
  await initComplexOps();
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const exampleFactor = settings.budgetFactors.reduce((best, f) => (Math.abs(Math.log(f)) < Math.abs(Math.log(best)) ? f : best));
  const budgets: BudgetResult[] = [];
  const perStep = new Map<string, number[]>();
  const thisProcess = `pid ${process.pid} started ${new Date().toISOString()}`;
  const processes = new Set<string>();
  const kept: string[] = [];
  const resumed: string[] = [];
  const memoryAfterUnits: UnitMemory[] = [];
  const units = unitFiles(UNIT_FORMAT, { settings, e2e: options.e2e, data: resolve(options.dataset.dir) });
  for (const factor of settings.budgetFactors) {
    const seeds: SeedResult[] = [];
    for (const seed of settings.seeds) {
      const unit = `x${factor} seed ${seed}`;
      const dir = join(outDir, `seed-${seed}`, `x${factor}`);
      const resultPath = join(dir, "result.json");
      let result = units.read<UnitResult>(resultPath);
      if (result) {
        resumed.push(unit);
        log(`compare ${unit}: resumed from ${resultPath} (measured by ${result.process})`);
      } else {
        if (existsSync(dir)) {
          log(`compare ${unit}: unfinished in an earlier process; its timings cannot continue in this one, so it starts again`);
          rmSync(dir, { recursive: true, force: true });
        }
        const run = await runOneBudget({ ...options, settings }, factor, seed, dir, log, (phase) => new CompareInterrupted(kept, `${unit}, ${phase}`, outDir));
        if (factor === exampleFactor && seed === settings.seeds[0]) await writeExamples(options.dataset, dir, settings.variants, join(outDir, "examples"));
        result = { process: thisProcess, seed: run.seed, secondsPerStep: [...run.secondsPerStep] };
        // Written last: a unit without result.json is unfinished.
        units.write(resultPath, result);
        const memory = tf.memory();
        memoryAfterUnits.push({ unit, tensors: memory.numTensors, tensorBytes: memory.numBytes, rssBytes: process.memoryUsage().rss });
        log(`compare ${unit}: done; ${memory.numTensors} tensors (${(memory.numBytes / 2 ** 20).toFixed(1)} MiB) live, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
      }
      kept.push(unit);
      processes.add(result.process);
      seeds.push(result.seed);
      for (const [method, seconds] of result.secondsPerStep) perStep.set(method, [...(perStep.get(method) ?? []), seconds]);
    }
    budgets.push(summariseBudget(factor, seeds, settings.variants));
  }
  const cost = await costTable(options, settings, perStep, join(outDir, `seed-${settings.seeds[0]}`, `x${exampleFactor}`));
  const summary: CompareSummary = {
    format: COMPARE_SUMMARY_FORMAT,
    settings,
    budgetDefinition: BUDGET_DEFINITION,
    data: resolve(options.dataset.dir),
    testImages: options.dataset.test.count,
    budgets,
    cost,
    engine: engineInfo(),
    cpu: `${cpus()[0]?.model ?? "unknown"} x ${cpus().length}`,
    wallSeconds: (performance.now() - wallStart) / 1000,
    processes: processes.size,
    resumed,
    memoryAfterUnits,
    warnings:
      processes.size > 1
        ? [
            `the units ran in ${processes.size} processes (resumed after an interruption: ${resumed.join(", ")}): each unit's methods were timed in one process, ` +
              "but seconds across budgets and seeds, and the cost table's means, mix machine loads; rerun into a new directory for timings from one process",
          ]
        : [],
  };
  writeFileSync(join(outDir, "metrics.csv"), curvesCsv(budgets));
  writeJsonAtomic(join(outDir, "summary.json"), summary);
  return summary;
}

async function runOneBudget(
  options: RunCompareOptions & { settings: CompareSettings },
  factor: number,
  seed: number,
  dir: string,
  log: (line: string) => void,
  interrupted: (phase: string) => CompareInterrupted,
): Promise<{ seed: SeedResult; secondsPerStep: Map<string, number> }> {
  const { trainDepth } = await import("../train/train-depth.js");
  const { runDko } = await import("../dko/run.js");
  const { SynthesisInterrupted } = await import("../dko/synthesis-checkpoint.js");
  const { runE2e } = await import("./run.js");
  const { settings, dataset, signal } = options;
  const stepsAt = (steps: number) => Math.max(1, Math.round(factor * steps));
  const secondsPerStep = new Map<string, number>();
  const curve: CurvePoint[] = [];

  // DKO stage 1: the electronic network (validated once, at the end: its steps are what is timed).
  const stage1Dir = join(dir, "stage1");
  const stage1Steps = stepsAt(settings.stage1Steps);
  const base = options.runConfig(seed);
  const stage1Config = { ...base, train: { ...base.train, validateEvery: stage1Steps, checkpointEvery: stage1Steps } };
  log(`compare x${factor} seed ${seed}: stage 1, ${stage1Steps} steps`);
  const stage1 = await trainDepth({ runDir: stage1Dir, dataset, config: stage1Config, budget: { steps: stage1Steps }, signal });
  stage1.net.dispose();
  if (stage1.status === "interrupted") throw interrupted("stage 1");
  const stage1Summary = stage1.summary!;
  const stage1Seconds = stage1Summary.trainSeconds;
  secondsPerStep.set("stage 1", stage1Seconds / stage1Summary.steps);

  // DKO stage 2 on that run.
  const dkoSteps = stepsAt(settings.dkoSteps);
  log(`compare x${factor} seed ${seed}: DKO stage 2, up to ${dkoSteps} steps`);
  const dkoConfig = options.dkoConfig(seed, dkoSteps);
  // E2E designs are formed on the sensor as DKO's are.
  const sensorArray = settings.sensorArray ? dkoConfig.evaluation.sensorArray : undefined;
  if (settings.sensorArray && !sensorArray) throw new Error("compare.sensorArray: the DKO settings must score the sensor's image formation too (dko.evaluation.sensorArray)");
  const { summary: dko } = await runDko({ runDir: stage1Dir, dataDir: dataset.dir, outDir: join(dir, "dko"), config: dkoConfig, signal }).catch((error: unknown) => {
    throw error instanceof SynthesisInterrupted ? interrupted("DKO stage 2") : error;
  });
  const budgetSeconds = stage1Seconds + dko.synthesis.seconds;
  secondsPerStep.set("DKO stage 2", dko.synthesis.secondsPerStep);
  const methods: MethodResult[] = [
    { method: "electronic", elapsedSeconds: stage1Seconds, steps: stage1Summary.steps, test: dko.metrics.electronic, kernelBankNmse: 0 },
    { method: "dko", elapsedSeconds: budgetSeconds, steps: stage1Summary.steps + dko.synthesis.steps, test: dko.metrics.optical, kernelBankNmse: dko.synthesis.kernelBankNmse, sensorTest: dko.metrics.sensorArray?.test },
  ];
  curve.push({ method: "electronic", elapsedSeconds: stage1Seconds, split: "test", metrics: dko.metrics.electronic });
  curve.push({ method: "dko", elapsedSeconds: budgetSeconds, split: "test", metrics: dko.metrics.optical });

  // E2E variants under the same total seconds; validation points spread over the expected steps.
  const expectedE2eStep = secondsPerStep.get("stage 1")! + dko.synthesis.secondsPerStep * (dko.bank.metasurfaces / Math.max(1, dko.bank.active));
  for (const variant of settings.variants) {
    const fromStage1 = variant !== "joint-scratch";
    const seconds = fromStage1 ? budgetSeconds - stage1Seconds : budgetSeconds;
    const offset = fromStage1 ? stage1Seconds : 0;
    const validateEvery = Math.max(1, Math.floor(seconds / expectedE2eStep / settings.curvePoints));
    const method = `e2e-${variant}`;
    log(`compare x${factor} seed ${seed}: E2E ${variant}, ${seconds.toFixed(1)} s`);
    const outcome = await runE2e({
      runDir: join(dir, method),
      dataset,
      config: { ...base, train: { ...base.train, validateEvery, checkpointEvery: 1_000_000 } },
      optics: dkoConfig.optics,
      settings: { ...options.e2e, variant, seed, imageFormation: settings.imageFormation },
      budget: { seconds },
      stage1Dir,
      signal,
      sensorArray,
      onProgress: (event) => {
        if (event.phase === "validate" && event.val) curve.push({ method, elapsedSeconds: offset + event.trainSeconds, split: "val", metrics: event.val });
      },
    });
    if (outcome.status === "interrupted") throw interrupted(`E2E ${variant}`);
    const e2e = outcome.summary!;
    secondsPerStep.set(`E2E ${variant}`, e2e.secondsPerStep);
    methods.push({ method, elapsedSeconds: offset + e2e.trainSeconds, steps: e2e.steps, test: e2e.test, kernelBankNmse: e2e.kernelBankNmse!, sensorTest: e2e.sensorArray?.test });
    curve.push({ method, elapsedSeconds: offset + e2e.trainSeconds, split: "test", metrics: e2e.test });
  }

  const references = await referencePoints(stage1Dir, join(dir, "dko"), dataset, seed);
  return { seed: { seed, budgetSeconds, stage1Seconds, methods, references, curve }, secondsPerStep };
}

/**
 * The stage-1 back end (frozen) behind reference kernel banks, on the whole test split: the trained
 * kernels, DKO's realised kernels, the trained kernels plus noise of NMSE 0.25 and 1.0, random kernels
 * of the same norm, and the trained kernels on the wrong output channels.
 */
async function referencePoints(stage1Dir: string, dkoDir: string, dataset: DepthDataset, seed: number): Promise<ReferenceResult[]> {
  const tf: typeof tfTypes = await import("@tensorflow/tfjs");
  const { loadRun } = await import("../train/load-run.js");
  const { evaluateDepth } = await import("../eval/evaluate-depth.js");
  const { convFirstLayer } = await import("../models/first-layer.js");
  const stage1 = await loadRun(stage1Dir);
  const { net } = stage1;
  try {
    const trained = Float32Array.from(net.firstLayerKernel.dataSync());
    const [k, , inChannels, outChannels] = net.firstLayerKernel.shape;
    const banks: [string, Float32Array][] = [
      ["trained kernels", trained],
      ["DKO-realised kernels", readNpy(join(dkoDir, "realised_kernels.npy")).data as Float32Array],
      ["trained + noise, NMSE 0.25", kernelsWithNoise(trained, 0.25, 7000 + seed)],
      ["trained + noise, NMSE 1.0", kernelsWithNoise(trained, 1, 8000 + seed)],
      ["random kernels, same norm", randomKernelsOfSameNorm(trained, 9000 + seed)],
      ["trained kernels, wrong output channels", kernelsOnWrongChannels(trained, { kernelSize: k, inChannels, outChannels })],
    ];
    const results: ReferenceResult[] = [];
    for (const [reference, weights] of banks) {
      const kernel = tf.tensor4d(weights, [k, k, inChannels, outChannels]);
      const layer = convFirstLayer(kernel, net.config.firstLayer.stride, { trainable: false, description: reference });
      const test: SetMetrics = await evaluateDepth((rgb) => net.predict(rgb, layer), dataset.test, { protocol: stage1.config.evalProtocol ?? defaultProtocol(dataset.manifest.source) });
      kernel.dispose();
      results.push({ reference, kernelBankNmse: nmse(weights, trained), test });
    }
    return results;
  } finally {
    net.dispose();
    tf.dispose([...stage1.extra.values()]);
  }
}

/** Test predictions of the first three test images: electronic, DKO and each E2E variant, as .npy [n, H, W]. */
async function writeExamples(dataset: DepthDataset, dir: string, variants: readonly E2eVariant[], outDir: string): Promise<void> {
  const tf: typeof tfTypes = await import("@tensorflow/tfjs");
  const { loadRun } = await import("../train/load-run.js");
  const { convFirstLayer } = await import("../models/first-layer.js");
  mkdirSync(outDir, { recursive: true });
  const count = Math.min(3, dataset.test.count);
  const { height, width } = dataset.test;
  const rgb = tf.tensor4d(
    Float32Array.from({ length: count * height * width * 3 }, (_, i) => dataset.test.get(Math.floor(i / (height * width * 3))).rgb[i % (height * width * 3)]),
    [count, height, width, 3],
  );
  const predictWith = async (runDir: string, kernelsFile?: string) => {
    const run = await loadRun(runDir);
    try {
      const kernels = kernelsFile ? readNpy(kernelsFile) : null;
      const kernel = kernels ? tf.tensor4d(kernels.data as Float32Array, kernels.shape as [number, number, number, number]) : null;
      const layer = kernel ? convFirstLayer(kernel, run.net.config.firstLayer.stride, { trainable: false }) : undefined;
      const depth = run.net.predict(rgb, layer);
      const values = Float32Array.from(depth.dataSync());
      tf.dispose([depth, ...(kernel ? [kernel] : [])]);
      return values;
    } finally {
      run.net.dispose();
      tf.dispose([...run.extra.values()]);
    }
  };
  const shape = [count, height, width];
  writeNpy(join(outDir, "electronic.npy"), { data: await predictWith(join(dir, "stage1")), shape });
  writeNpy(join(outDir, "dko.npy"), { data: await predictWith(join(dir, "stage1"), join(dir, "dko", "realised_kernels.npy")), shape });
  for (const variant of variants) {
    writeNpy(join(outDir, `e2e-${variant}.npy`), { data: await predictWith(join(dir, `e2e-${variant}`), join(dir, `e2e-${variant}`, "formation_kernels.npy")), shape });
  }
  rgb.dispose();
}

/** Per-step seconds (from the runs, over seeds and budgets), memory, parameters and FLOPs of every method. */
async function costTable(options: RunCompareOptions, settings: CompareSettings, perStep: Map<string, number[]>, exampleDir: string): Promise<CostRow[]> {
  const { loadRun } = await import("../train/load-run.js");
  const { OpticsBank } = await import("../dko/optics-bank.js");
  const { extractKernelTargets } = await import("../dko/targets.js");
  const { e2eOpticalLayer } = await import("./optical-layer.js");
  const { networkStepTensorBytes, psfStepArrayBytes } = await import("./step-memory.js");
  const { readDkoSummary } = await import("../dko/summary.js");
  const seed = settings.seeds[0];
  const config = options.runConfig(seed);
  const dkoConfig = options.dkoConfig(seed, settings.dkoSteps);
  const batch = config.train.batchSize;
  const stage1 = await loadRun(join(exampleDir, "stage1"));
  const dko = readDkoSummary(join(exampleDir, "dko"));
  const targets = extractKernelTargets(stage1.net);
  const bank = new OpticsBank(dkoConfig.optics, targets.shape);
  const N = dkoConfig.optics.cells;
  const R = bank.windowPixels * bank.subsamplesPerPixel;
  const rows: Omit<CostRow, "ratioToDkoStage2">[] = [];
  try {
    const forward = depthNetForwardFlops(config.net);
    const electronicParams = stage1.net.parameterCount;
    rows.push({
      method: "stage 1",
      secondsPerStep: spreadOf(perStep.get("stage 1")!),
      peakMemory_bytes: await networkStepTensorBytes(stage1.net, options.dataset, batch, stage1.net.firstLayer, true),
      trainableParameters: electronicParams,
      flopsPerStep: trainStepFlops(forward, batch, { firstLayer: true, backEnd: true }),
    });
    rows.push({
      method: "DKO stage 2",
      secondsPerStep: spreadOf(perStep.get("DKO stage 2")!),
      peakMemory_bytes: psfStepArrayBytes(bank, dko.bank.active),
      trainableParameters: dko.bank.active * N * N,
      flopsPerStep: psfFlops(dko.bank.active, N, R, true),
    });
    for (const variant of settings.variants) {
      const layer = e2eOpticalLayer(bank, {
        params: bank.initialParams(0, 0), scales: targets.scales, trainScales: options.e2e.trainScales, formation: settings.imageFormation, parameterStepFactor: 1, stride: config.net.firstLayer.stride,
      });
      const trainsBackEnd = variant !== "optics-only";
      const size = formationKernelSize(settings.imageFormation, bank.windowPixels, bank.kernelSize);
      try {
        rows.push({
          method: `E2E ${variant}`,
          secondsPerStep: spreadOf(perStep.get(`E2E ${variant}`)!),
          peakMemory_bytes: (await networkStepTensorBytes(stage1.net, options.dataset, batch, layer, trainsBackEnd)) + psfStepArrayBytes(bank, bank.count),
          trainableParameters: bank.count * N * N + (options.e2e.trainScales ? bank.count : 0) + (trainsBackEnd ? electronicParams - targets.weights.length : 0),
          flopsPerStep: psfFlops(bank.count, N, R, true) + trainStepFlops(depthNetForwardFlops(config.net, size), batch, { firstLayer: true, backEnd: trainsBackEnd }),
        });
      } finally {
        layer.dispose();
      }
    }
  } finally {
    stage1.net.dispose();
  }
  const reference = rows[1];
  return rows.map((row) => ({
    ...row,
    ratioToDkoStage2: { seconds: row.secondsPerStep.mean / reference.secondsPerStep.mean, flops: row.flopsPerStep / reference.flopsPerStep },
  }));
}
