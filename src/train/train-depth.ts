import * as tf from "@tensorflow/tfjs";
import { existsSync } from "node:fs";
import { engineInfo, initEngine } from "../engine/backend.js";
import { writeJsonAtomic } from "../io/atomic.js";
import type { DepthDataset } from "../data/types.js";
import { BudgetSchema, DepthNetConfigSchema, TrainConfigSchema, type Budget, type DepthNetConfig, type TrainConfig } from "../models/depth-net-config.js";
import { buildDepthNet, FIRST_KERNEL_NAME, type DepthNet } from "../models/depth-net.js";
import type { FirstLayer } from "../models/first-layer.js";
import { assignTensors, loadTensors, saveTensors } from "../models/weights-io.js";
import { AdamW } from "./adam.js";
import { BatchSchedule } from "./batches.js";
import { latestCheckpointDir, loadCheckpoint, saveCheckpoint, type TrainState } from "./checkpoint.js";
import { evaluateConstant, fitConstantBaselines } from "../eval/constant-baseline.js";
import { silogLoss } from "./depth-loss.js";
import type { DepthMetrics } from "../eval/depth-metrics.js";
import { defaultProtocol, DepthEvalProtocolSchema, type DepthEvalProtocol } from "../eval/depth-protocol.js";
import { evaluateDepth, type SetMetrics } from "../eval/evaluate-depth.js";
import { learningRateAt } from "./lr-schedule.js";
import { writeMetricsCsv } from "./metrics-history.js";
import { RUN_CONFIG_FORMAT, readRunConfig, resolveWeightsDir, runPaths, type DepthRunConfig, type RunConfigFile, type RunSummary } from "./run-files.js";

export interface TrainProgress {
  phase: "train" | "validate" | "checkpoint" | "test" | "baseline";
  step: number;
  /** Fraction of the budget used, 0..1. */
  progress: number;
  trainSeconds: number;
  loss?: number;
  learningRate?: number;
  val?: DepthMetrics;
}

export interface TrainDepthOptions {
  runDir: string;
  dataset: DepthDataset;
  /** Required for a new run; a resumed run uses its config.json. */
  config?: DepthRunConfig;
  /** Required for a new run; on resume it replaces the stored budget (e.g. to train longer). */
  budget?: Budget;
  /** Replaces the electronic first layer (DKO: fixed realised kernels; E2E: trainable optics). */
  firstLayer?: FirstLayer;
  /** Train the back end (default true). */
  trainBackEnd?: boolean;
  /** How validation and test are scored (default: the data set's, see defaultProtocol); a resumed run keeps its own. */
  evalProtocol?: DepthEvalProtocol;
  /**
   * Depth the loss compares the prediction with instead of the ground truth (distillation from a
   * teacher network); pixels without valid ground truth stay out of the loss.
   */
  teacher?: (rgb: tf.Tensor4D) => tf.Tensor4D;
  /** Start a new run from these network weights (a run directory or weights directory). */
  initWeightsFrom?: string;
  /** Continue from the run's newest checkpoint. */
  resume?: boolean;
  /** Stops the run after the current step, with a checkpoint (Ctrl-C). */
  signal?: AbortSignal;
  onProgress?: (event: TrainProgress) => void;
}

export interface TrainDepthResult {
  status: "finished" | "interrupted";
  step: number;
  /** Set when finished. */
  summary?: RunSummary;
  /** The trained network (caller disposes). */
  net: DepthNet;
}

const REPLACEMENT_PREFIX = "replacement.";

/**
 * Trains a depth network (or its back end behind a replacement first layer) on a depth data set under
 * a budget of steps and/or training seconds, validating, checkpointing and writing the run directory
 * (see run-files.ts). Deterministic: a resumed run takes exactly the steps the uninterrupted run would.
 */
export async function trainDepth(options: TrainDepthOptions): Promise<TrainDepthResult> {
  const wallStart = performance.now();
  const { runDir, dataset } = options;
  const engine = await initEngine();
  const paths = runPaths(runDir);
  const settings = resolveRunSettings(options);
  const { stored, netConfig, train, budget } = settings;
  checkDatasetFits(dataset, netConfig.inputHeight, netConfig.inputWidth);

  const net = buildDepthNet(netConfig);
  const { trainable, saved, firstLayer } = collectVariables(net, options, settings.trainBackEnd, stored);
  const optimizer = new AdamW(trainable, { weightDecay: train.weightDecay });
  const initWeightsFrom = stored ? stored.initWeightsFrom : options.initWeightsFrom;
  const state = restoreOrInitialise(runDir, net, saved, optimizer, stored !== null, initWeightsFrom);
  if (stored && budget.steps !== undefined && state.step > budget.steps) {
    throw new Error(`${runDir} is at step ${state.step}, past the budget of ${budget.steps} steps asked for; a budget cannot move before where the run is: give --steps above ${state.step}, or omit it to keep the run's own (${stored.budget.steps ?? "none"})`);
  }
  const evalProtocol = DepthEvalProtocolSchema.parse(stored?.evalProtocol ?? options.evalProtocol ?? defaultProtocol(dataset.manifest.source));
  writeJsonAtomic(paths.config, { ...runConfigFile(settings, dataset, (options.firstLayer ?? net.firstLayer).description, initWeightsFrom, engine, state.step), evalProtocol });

  const schedule = new BatchSchedule(dataset.train, train.batchSize, train.seed, train.flip);
  const progressOf = () => Math.max(budget.steps ? state.step / budget.steps : 0, budget.seconds ? state.trainSeconds / budget.seconds : 0);
  const exhausted = () => (budget.steps !== undefined && state.step >= budget.steps) || (budget.seconds !== undefined && state.trainSeconds >= budget.seconds);
  const predict = (rgb: tf.Tensor4D) => net.predict(rgb, firstLayer);
  const emit = (event: Omit<TrainProgress, "step" | "progress" | "trainSeconds">) =>
    options.onProgress?.({ step: state.step, progress: Math.min(progressOf(), 1), trainSeconds: state.trainSeconds, ...event });
  let wallMark = wallStart;
  const tickWall = () => {
    const now = performance.now();
    state.wallSeconds += (now - wallMark) / 1000;
    wallMark = now;
  };
  const validate = async () => {
    emit({ phase: "validate" });
    const val = await evaluateDepth(predict, dataset.val, { protocol: evalProtocol, limit: train.valSamples, batchSize: train.batchSize });
    state.history.push({
      step: state.step,
      epoch: schedule.epochOf(Math.max(state.step - 1, 0)),
      trainSeconds: state.trainSeconds,
      learningRate: learningRateAt(progressOf(), train),
      trainLoss: state.lossCount > 0 ? state.lossSum / state.lossCount : NaN,
      val,
    });
    state.lossSum = 0;
    state.lossCount = 0;
    writeMetricsCsv(paths.metrics, state.history);
    emit({ phase: "validate", val });
    return val;
  };
  let lastCheckpoint = performance.now();
  const save = () => {
    tickWall();
    saveCheckpoint(runDir, saved, optimizer.stateTensors(), state);
    writeMetricsCsv(paths.metrics, state.history);
    lastCheckpoint = performance.now();
  };

  const variableList = [...trainable.values()];
  while (!exhausted() && !options.signal?.aborted) {
    const learningRate = learningRateAt(progressOf(), train);
    const started = performance.now();
    const batch = schedule.batchAt(state.step);
    const target = options.teacher ? tf.tidy(() => options.teacher!(batch.rgb)) : batch.depth;
    const { value, grads } = tf.variableGrads(() => silogLoss(predict(batch.rgb), target, batch.mask, train.silogLambda), variableList);
    if (target !== batch.depth) target.dispose();
    optimizer.apply(new Map([...trainable].map(([name, v]) => [name, grads[v.name]])), learningRate);
    const loss = (await value.data())[0];
    tf.dispose([value, ...Object.values(grads), batch.rgb, batch.depth, batch.mask]);
    if (!Number.isFinite(loss)) {
      const kept = latestCheckpointDir(runDir);
      throw new Error(
        `training diverged at step ${state.step} (loss ${loss}, learning rate ${learningRate.toExponential(2)}): ${kept ? `the checkpoint ${kept} is kept, but resuming repeats the same steps` : "nothing was kept"}; train again with a lower --lr than ${train.learningRate}${kept ? " into a new --out (or with --force)" : ""}`,
      );
    }
    state.trainSeconds += (performance.now() - started) / 1000;
    state.step++;
    state.lossSum += loss;
    state.lossCount++;
    emit({ phase: "train", loss, learningRate });
    if (state.step % train.validateEvery === 0) await validate();
    if (state.step % train.checkpointEvery === 0 || (performance.now() - lastCheckpoint) / 1000 >= train.checkpointSeconds) save();
    // Let signal handlers (Ctrl-C) run between steps.
    await new Promise((resolve) => setImmediate(resolve));
  }

  if (!exhausted()) {
    save();
    optimizer.dispose();
    return { status: "interrupted", step: state.step, net };
  }
  const lastRow = state.history[state.history.length - 1];
  const finalVal: SetMetrics = lastRow?.step === state.step ? (lastRow.val as SetMetrics) : await validate();
  save();
  optimizer.dispose();
  saveTensors(paths.weights, saved);
  emit({ phase: "test" });
  const test = await evaluateDepth(predict, dataset.test, { protocol: evalProtocol, batchSize: train.batchSize });
  emit({ phase: "baseline" });
  const constants = constantBaselines(dataset, evalProtocol);
  tickWall();
  const summary: RunSummary = {
    status: "finished",
    steps: state.step,
    epochs: state.step / schedule.batchesPerEpoch,
    trainSeconds: state.trainSeconds,
    wallSeconds: state.wallSeconds,
    engine: engineInfo() ?? engine,
    parameterCount: net.parameterCount,
    trainableParameterCount: variableList.reduce((n, v) => n + v.size, 0),
    loss: `scale-invariant log, lambda ${train.silogLambda}`,
    evalProtocol,
    test,
    finalVal,
    constantBaselines: constants,
    weights: "weights",
    finishedAt: new Date().toISOString(),
  };
  writeJsonAtomic(paths.summary, summary);
  return { status: "finished", step: state.step, summary, net };
}

interface RunSettings {
  /** The run's config.json when resuming. */
  stored: RunConfigFile | null;
  preset?: string;
  netConfig: DepthNetConfig;
  train: TrainConfig;
  budget: Budget;
  trainBackEnd: boolean;
}

/** A new run's settings from the options, or a resumed run's from its config.json (a given budget replaces the stored one). */
function resolveRunSettings(options: TrainDepthOptions): RunSettings {
  const { runDir } = options;
  const paths = runPaths(runDir);
  let stored: RunConfigFile | null = null;
  if (options.resume) {
    if (!existsSync(paths.config)) throw new Error(`${runDir}: nothing to resume (no config.json); start the run without --resume`);
    stored = readRunConfig(runDir);
  } else if (existsSync(paths.config)) {
    throw new Error(`${runDir} already holds a run (config.json); pass --resume to continue it, or choose another --out`);
  }
  const config: DepthRunConfig = stored ? { preset: stored.preset, net: stored.net, train: stored.train } : requireOption(options.config, "config");
  return {
    stored,
    preset: config.preset,
    netConfig: DepthNetConfigSchema.parse(config.net),
    train: TrainConfigSchema.parse(config.train),
    budget: BudgetSchema.parse(options.budget ?? stored?.budget ?? requireOption(options.budget, "budget")),
    trainBackEnd: options.trainBackEnd ?? stored?.trainBackEnd ?? true,
  };
}

/**
 * The variables the optimiser updates (the first layer's, the back end's unless frozen) and those a
 * checkpoint saves (all of the network's plus a replacement first layer's, under "replacement.").
 */
function collectVariables(net: DepthNet, options: TrainDepthOptions, trainBackEnd: boolean, stored: RunConfigFile | null) {
  const firstLayer = options.firstLayer ?? net.firstLayer;
  const netConfig = net.config;
  if (stored && stored.firstLayer !== firstLayer.description) {
    throw new Error(`${options.runDir} was trained behind first layer "${stored.firstLayer}", not "${firstLayer.description}"; resume with the same first layer`);
  }
  if (firstLayer.outChannels !== netConfig.firstLayer.kernels || firstLayer.stride !== netConfig.firstLayer.stride) {
    throw new Error(`the first layer gives ${firstLayer.outChannels} maps at stride ${firstLayer.stride}; the back end expects ${netConfig.firstLayer.kernels} at stride ${netConfig.firstLayer.stride}`);
  }
  const replacement = [...(options.firstLayer?.trainableVariables ?? [])].map(([name, v]) => [REPLACEMENT_PREFIX + name, v] as const);
  const trainable = new Map<string, tf.Variable>(options.firstLayer ? replacement : [[FIRST_KERNEL_NAME, net.firstLayerKernel]]);
  if (trainBackEnd) for (const [name, v] of net.backEndVariables) trainable.set(name, v);
  if (trainable.size === 0) throw new Error("nothing to train: the first layer is fixed and trainBackEnd is false");
  const saved = new Map<string, tf.Variable>([...net.variables, ...replacement]);
  return { trainable, saved, firstLayer };
}

/** Loads the newest checkpoint of a resumed run (weights, optimiser, counters), or a new run's initial weights. */
function restoreOrInitialise(runDir: string, net: DepthNet, saved: Map<string, tf.Variable>, optimizer: AdamW, resumed: boolean, initWeightsFrom: string | undefined): TrainState {
  const checkpoint = resumed ? latestCheckpointDir(runDir) : null;
  if (!checkpoint) {
    if (initWeightsFrom) {
      const dir = resolveWeightsDir(initWeightsFrom);
      const tensors = loadTensors(dir);
      assignTensors(net.variables, tensors, dir, { allowExtra: true });
      tf.dispose([...tensors.values()]);
    }
    return { step: 0, trainSeconds: 0, wallSeconds: 0, lossSum: 0, lossCount: 0, history: [] };
  }
  const loaded = loadCheckpoint(checkpoint);
  for (const [name, tensor] of loaded.weights) {
    if (!tensor.dataSync().every(Number.isFinite)) {
      tf.dispose([...loaded.weights.values(), ...loaded.optimizer.values()]);
      throw new Error(
        `${checkpoint}: weight "${name}" holds NaN or infinite values, so the checkpoint is damaged (a finite loss is checked before every save); delete ${checkpoint} and checkpoints/latest.json, then rerun with --resume to continue from the previous checkpoint, or train afresh with --force`,
      );
    }
  }
  assignTensors(saved, loaded.weights, `${checkpoint}/weights`);
  optimizer.restore(loaded.optimizer, loaded.state.step, `${checkpoint}/optimizer`);
  tf.dispose([...loaded.weights.values(), ...loaded.optimizer.values()]);
  return loaded.state;
}

function runConfigFile(settings: RunSettings, dataset: DepthDataset, firstLayer: string, initWeightsFrom: string | undefined, engine: RunConfigFile["engine"], step: number): RunConfigFile {
  const { manifest } = dataset;
  // A resumed run keeps the engine it started on and records each change of engine from its step on.
  const segments = settings.stored?.engineSegments ?? (settings.stored ? [{ fromStep: 0, engine: settings.stored.engine }] : []);
  const last = segments[segments.length - 1];
  const engineSegments = last && last.engine.engine === engine.engine && last.engine.backend === engine.backend ? segments : [...segments, { fromStep: step, engine }];
  return {
    format: RUN_CONFIG_FORMAT,
    preset: settings.preset,
    net: settings.netConfig,
    train: settings.train,
    budget: settings.budget,
    firstLayer,
    trainBackEnd: settings.trainBackEnd,
    initWeightsFrom,
    data: { dir: dataset.dir, name: manifest.name, source: manifest.source, height: manifest.height, width: manifest.width, counts: manifest.counts, depthRange_m: manifest.depthRange_m },
    engine: settings.stored?.engine ?? engine,
    engineSegments,
    createdAt: settings.stored?.createdAt ?? new Date().toISOString(),
  };
}

/** The constant predictors fitted on the train split (mean, AbsRel-optimal), scored on the test split. */
function constantBaselines(dataset: DepthDataset, protocol: DepthEvalProtocol): RunSummary["constantBaselines"] {
  const constants = fitConstantBaselines(dataset.train, dataset.manifest.depthRange_m);
  return {
    mean: { depth_m: constants.mean_m, test: evaluateConstant(constants.mean_m, dataset.test, protocol) },
    absRelOptimal: { depth_m: constants.absRelOptimal_m, test: evaluateConstant(constants.absRelOptimal_m, dataset.test, protocol) },
  };
}

function requireOption<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`trainDepth: a new run needs options.${name}`);
  return value;
}

function checkDatasetFits(dataset: DepthDataset, height: number, width: number): void {
  for (const split of ["train", "val", "test"] as const) {
    const s = dataset[split];
    if (s.height !== height || s.width !== width) {
      throw new Error(`${dataset.dir}: ${split} images are ${s.height}x${s.width}, the network expects ${height}x${width}`);
    }
    if (s.count === 0) throw new Error(`${dataset.dir}: the ${split} split is empty`);
  }
}
