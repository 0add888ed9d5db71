import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { z } from "zod";
import { join, resolve } from "node:path";
import type { ClassificationSet } from "../data/types.js";
import { writeJsonAtomic } from "../io/atomic.js";
import { unitFiles } from "../io/json-file.js";
import { writeNpy } from "../io/npy.js";
import { NtkdConfigSchema, type NtkdConfig } from "./config.js";
import { layoutCapacity } from "./layout.js";
import { PhaseClock, sumPhases, type PhaseSeconds } from "./phase-clock.js";

export const NTKD_SUMMARY_FORMAT = "optocnn-ntkd/1";
export const NTKD_MODES = ["none", "kd", "ntkd", "dko"] as const;
export type NtkdMode = (typeof NTKD_MODES)[number];
export type NtkdDataset = NtkdConfig["data"]["datasets"][number];

export interface NtkdProgress {
  dataset: NtkdDataset;
  seed: number;
  /** "estimate", "teacher", a mode, or "fabrication". */
  phase: string;
  step: number;
  steps: number;
}

export interface Spread {
  mean: number;
  /** Sample standard deviation over seeds (0 for one seed). */
  std: number;
  values: number[];
}

export interface ScoredNetwork {
  accuracy: number;
  /** confusion[true][predicted] on the test images. */
  confusion: number[][];
  seconds: number;
  parameters: number;
}

export interface SeedResult {
  seed: number;
  teacher: ScoredNetwork;
  modes: Record<NtkdMode, ScoredNetwork & { synthesis?: Record<string, number> }>;
  fabrication: import("./fabrication-study.js").FabricationResult;
  /** Wall seconds of the seed's phases (training per mode, evaluation, fabrication study). */
  phaseSeconds: PhaseSeconds;
  /** CPU seconds of the same phases (all threads of the process). */
  phaseCpuSeconds: PhaseSeconds;
}

/**
 * Thrown when the signal stopped a run: the finished units (the estimate of a data set, a seed) are kept
 * in the output directory and a rerun with the same config takes them instead of running them again.
 */
export class NtkdInterrupted extends Error {
  constructor(readonly kept: string[], readonly stoppedIn: string) {
    super(`NTKD interrupted in ${stoppedIn}; kept: ${kept.join(", ") || "nothing"}`);
  }
}

// 2: seeds carry their phase seconds; units of 1 were computed by the earlier code and are run again.
const UNIT_FORMAT = "optocnn-ntkd-unit/2";

export function spread(values: number[]): Spread {
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  const std = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, std, values };
}

function loadDataset(name: NtkdDataset, data: NtkdConfig["data"]): Promise<{ train: ClassificationSet; test: ClassificationSet }> {
  if (name === "mnist") {
    return import("../data/mnist.js").then(({ loadMnist }) => ({
      train: loadMnist({ split: "train", limit: data.trainLimit }),
      test: loadMnist({ split: "test", limit: data.testLimit }),
    }));
  }
  return import("../data/fashion-mnist.js").then(({ loadFashionMnist }) => ({
    train: loadFashionMnist({ dir: data.fashionMnistDir, split: "train", limit: data.trainLimit }),
    test: loadFashionMnist({ dir: data.fashionMnistDir, split: "test", limit: data.testLimit }),
  }));
}

/**
 * The NTKD experiment: per data set, the accuracy estimate before training (NTK kernel ridge regression
 * of the student architecture for each kernel count, and the layout rule's capacity), then per seed the
 * teacher, the four student modes with the same step budget, and the fabrication study of the NTKD
 * student. Writes into outDir:
 *   summary.json                               accuracies per data set, mode and seed, mean and spread;
 *                                              estimate vs measured; fabrication before/after
 *   <dataset>/psfs-<mode>.npy [2K, M, M]       learned PSF windows of seed 0 (none, kd, ntkd, dko)
 *   <dataset>/phases-ntkd.npy [2K, N, N]       the NTKD student's metasurface phases (seed 0)
 *   <dataset>/estimate.json, seed-<s>.json     finished units, the checkpoints of an unfinished run
 * Every unit is seeded on its own, so a run resumed from its units ends as an uninterrupted one would.
 */
export async function runNtkd(options: {
  outDir: string;
  config: NtkdConfig;
  onProgress?: (event: NtkdProgress) => void;
  /** Stops at the next training step (throws NtkdInterrupted); the seed in progress is run again on resume. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}) {
  const wallStart = performance.now();
  const { initEngine } = await import("../engine/backend.js");
  const { initComplexOps } = await import("../engine/complex/select.js");
  const { runEnvironment } = await import("../engine/run-environment.js");
  const { ntkAccuracyEstimate } = await import("./estimate.js");
  const { createTeacher, disposeTrainable, parameterCount } = await import("./networks.js");
  const { OpticalStudent } = await import("./optical-student.js");
  const { trainNetwork, evaluate } = await import("./train.js");
  const { trainDkoStudent } = await import("./dko-student.js");
  const { fabricationStudy } = await import("./fabrication-study.js");
  const { config, onProgress, signal } = options;
  const log = options.log ?? (() => {});
  const outDir = resolve(options.outDir);
  const units = unitFiles(UNIT_FORMAT, config);
  const kept: string[] = [];
  const resumed: string[] = [];
  let current = "setup";
  const stopIfAsked = () => {
    if (signal?.aborted) throw new NtkdInterrupted(kept, current);
  };
  if (existsSync(join(outDir, "summary.json"))) throw new Error(`out: ${outDir} already holds an NTKD result (summary.json); choose another --out or remove it`);
  mkdirSync(outDir, { recursive: true });
  await initEngine();
  await initComplexOps();

  const { training, loss } = config;
  const datasets = [];
  for (const name of config.data.datasets) {
    const datasetClock = new PhaseClock();
    const { train, test } = await datasetClock.time("data", () => loadDataset(name, config.data));
    mkdirSync(join(outDir, name), { recursive: true });
    const layout = layoutCapacity({
      arraySide_m: config.layout.arraySide_m,
      spacing_m: config.layout.spacing_m,
      aperture_m: config.optics.cells * config.optics.cellPitch_m,
      sensorPitch_m: config.optics.sensorPitch_m,
      sensorPixels: config.layout.sensorPixels,
      imagePixels: 28,
      kernelSize: config.student.kernelSize,
    });
    const kernelCounts = [...new Set([...config.estimate.kernelCounts, config.student.kernels])].sort((a, b) => a - b);
    const estimatePath = join(outDir, name, "estimate.json");
    type Estimate = ReturnType<typeof ntkAccuracyEstimate> & { fitsLayout: boolean };
    current = `${name} estimate`;
    let estimates = units.read<Estimate[]>(estimatePath);
    if (estimates) {
      resumed.push(current);
      log(`ntkd: resumed: ${current} from ${estimatePath}`);
      // Wall seconds measured by the earlier process (its CPU seconds were not kept).
      datasetClock.add("estimate", estimates.reduce((sum, e) => sum + e.seconds, 0));
    } else {
      estimates = [];
      for (const [i, kernels] of kernelCounts.entries()) {
        onProgress?.({ dataset: name, seed: 0, phase: "estimate", step: i, steps: kernelCounts.length });
        // Signals are handled between kernel counts (each estimate is one synchronous computation).
        await new Promise((resolve) => setImmediate(resolve));
        stopIfAsked();
        const estimate = await datasetClock.time("estimate", () => ntkAccuracyEstimate({ config, kernels, train, test, seed: 0 }));
        estimates.push({ ...estimate, fitsLayout: kernels <= layout.signedKernels });
      }
      units.write(estimatePath, estimates);
    }
    kept.push(current);

    const seeds: SeedResult[] = [];
    for (const seed of training.seeds) {
      current = `${name} seed ${seed}`;
      const seedPath = join(outDir, name, `seed-${seed}.json`);
      const done = units.read<SeedResult>(seedPath);
      if (done) {
        seeds.push(done);
        resumed.push(current);
        kept.push(current);
        log(`ntkd: resumed: ${current} from ${seedPath}`);
        continue;
      }
      // A stop throws out of the training loop at the next step; the seed in progress is discarded.
      const progress = (phase: string, steps: number) => (step: number) => {
        stopIfAsked();
        onProgress?.({ dataset: name, seed, phase, step, steps });
      };
      const clock = new PhaseClock();
      const teacher = createTeacher(config.teacher, seed);
      const teacherRun = await clock.time("teacher", () => trainNetwork({
        net: teacher,
        set: train,
        objective: { kind: "task" },
        steps: config.teacher.steps,
        batchSize: training.batchSize,
        learningRate: config.teacher.learningRate,
        opticsLearningRate: training.opticsLearningRate,
        seed,
        onStep: progress("teacher", config.teacher.steps),
      }));
      const teacherEval = await clock.time("evaluation", () => evaluate(teacher, test));
      const modes = {} as SeedResult["modes"];
      let ntkdStudent: InstanceType<typeof OpticalStudent> | null = null;
      for (const mode of NTKD_MODES) {
        const onStep = progress(mode, training.steps);
        if (mode === "dko") {
          const dko = await trainDkoStudent({ config, train, seed, onStep, clock });
          const net = dko.student.behindFixedOptics(dko.subKernels);
          const evaluation = await clock.time("evaluation", () => evaluate(net, test));
          const parameters = parameterCount(dko.student.trainable().variables);
          modes.dko = { ...evaluation, seconds: dko.seconds, parameters, synthesis: { ...dko.synthesis, stage1Steps: dko.stage1Steps } };
          if (seed === training.seeds[0]) writeNpy(join(outDir, name, "psfs-dko.npy"), { data: dko.student.model.forward(Float32Array.from(dko.student.phases.dataSync())), shape: [dko.student.bank.count, dko.student.bank.windowPixels, dko.student.bank.windowPixels] });
          dko.subKernels.dispose();
          dko.student.dispose();
          continue;
        }
        const student = new OpticalStudent(config.optics, config.student, seed);
        const net = student.trainable();
        const objective =
          mode === "none"
            ? ({ kind: "task" } as const)
            : mode === "kd"
              ? ({ kind: "kd", teacher, temperature: loss.kdTemperature, weight: loss.kdWeight } as const)
              : ({ kind: "ntkd", teacher, alpha: loss.alpha, beta: loss.beta, samples: loss.ntkSamples, projections: loss.projections, step: loss.step, normalise: loss.normalise } as const);
        const run = await clock.time(mode, () =>
          trainNetwork({ net, set: train, objective, steps: training.steps, batchSize: training.batchSize, learningRate: training.learningRate, opticsLearningRate: training.opticsLearningRate, seed, onStep }),
        );
        modes[mode] = { ...(await clock.time("evaluation", () => evaluate(net, test))), seconds: run.seconds, parameters: parameterCount(net.variables) };
        if (seed === training.seeds[0]) {
          const phases = Float32Array.from(student.phases.dataSync());
          const { count, windowPixels: M } = student.bank;
          writeNpy(join(outDir, name, `psfs-${mode}.npy`), { data: student.model.forward(phases), shape: [count, M, M] });
          if (mode === "ntkd") writeNpy(join(outDir, name, "phases-ntkd.npy"), { data: phases, shape: [count, config.optics.cells, config.optics.cells] });
        }
        if (mode === "ntkd") ntkdStudent = student;
        else student.dispose();
      }
      progress("fabrication", 1)(0);
      const fabrication = await fabricationStudy({ config, student: ntkdStudent!, teacher, train, test, seed, designAccuracy: modes.ntkd.accuracy, clock });
      ntkdStudent!.dispose();
      const result: SeedResult = {
        seed,
        teacher: { ...teacherEval, seconds: teacherRun.seconds, parameters: parameterCount(teacher.variables) },
        modes,
        fabrication,
        phaseSeconds: clock.seconds,
        phaseCpuSeconds: clock.cpuSeconds,
      };
      units.write(seedPath, result);
      kept.push(current);
      seeds.push(result);
      disposeTrainable(teacher);
    }

    const over = (pick: (s: (typeof seeds)[number]) => number) => spread(seeds.map(pick));
    const accuracy = {
      teacher: over((s) => s.teacher.accuracy),
      ...Object.fromEntries(NTKD_MODES.map((mode) => [mode, over((s) => s.modes[mode].accuracy)])),
    } as Record<"teacher" | NtkdMode, Spread>;
    const fabrication = {
      phaseRms_rad: config.fabrication.phaseRms_rad,
      design: over((s) => s.fabrication.design),
      fabricated: over((s) => s.fabrication.fabricated),
      finetuneTask: over((s) => s.fabrication.finetuneTask),
      finetuneNtkd: over((s) => s.fabrication.finetuneNtkd),
      sweep: config.fabrication.sweepRms_rad.map((rms, i) => ({ phaseRms_rad: rms, accuracy: over((s) => s.fabrication.sweep[i].accuracy) })),
    };
    const trained = estimates.find((e) => e.kernels === config.student.kernels)!;
    datasets.push({
      name,
      trainImages: train.count,
      testImages: test.count,
      layout,
      estimates,
      estimateVsMeasured: {
        kernels: config.student.kernels,
        estimate: trained.accuracy,
        measured: Object.fromEntries(NTKD_MODES.map((mode) => [mode, accuracy[mode].mean])) as Record<NtkdMode, number>,
      },
      accuracy,
      fabrication,
      /** Wall seconds per phase over the data set: loading, the estimate and every seed's phases. */
      phaseSeconds: sumPhases([datasetClock.seconds, ...seeds.map((s) => s.phaseSeconds)]),
      phaseCpuSeconds: sumPhases([datasetClock.cpuSeconds, ...seeds.map((s) => s.phaseCpuSeconds)]),
      seeds,
    });
  }

  const summary = {
    format: NTKD_SUMMARY_FORMAT,
    config,
    modes: {
      none: "optical student, task loss only",
      kd: `Hinton KD: (1 - ${loss.kdWeight}) task + ${loss.kdWeight} T^2 KL, T = ${loss.kdTemperature}`,
      ntkd: `${loss.alpha} task + ${loss.beta} MSE(teacher NTK, student NTK)${loss.normalise ? " (each NTK / its mean diagonal)" : ""}, ${loss.projections} orthogonal projections, ${loss.ntkSamples} images per NTK`,
      dko: `electronic stage 1 (${Math.round(100 * config.dko.stage1Fraction)} % of the steps), metasurfaces fitted to its kernels, back end trained behind them`,
    },
    datasets,
    /** Wall seconds per phase over the whole run (figures are made afterwards, outside this count). */
    phaseSeconds: sumPhases(datasets.map((d) => d.phaseSeconds)),
    phaseCpuSeconds: sumPhases(datasets.map((d) => d.phaseCpuSeconds)),
    /** Units taken from an earlier, interrupted process (their seconds were measured there). */
    resumed,
    ...runEnvironment(wallStart),
  };
  writeJsonAtomic(join(outDir, "summary.json"), summary);
  return { outDir, summary };
}

export type NtkdSummary = Awaited<ReturnType<typeof runNtkd>>["summary"];

const SpreadSchema = z.object({ mean: z.number(), std: z.number(), values: z.array(z.number()) }).passthrough();

/** What a reader of summary.json relies on; the rest passes through unchecked. */
const NtkdSummarySchema = z
  .object({
    format: z.literal(NTKD_SUMMARY_FORMAT),
    config: NtkdConfigSchema,
    datasets: z.array(
      z.object({ name: z.string(), accuracy: z.object(Object.fromEntries(["teacher", ...NTKD_MODES].map((m) => [m, SpreadSchema]))).passthrough() }).passthrough(),
    ),
  })
  .passthrough();

/** Reads <dir>/summary.json through the schema; errors name the file and the field. */
export function readNtkdSummary(dir: string): NtkdSummary {
  const path = join(dir, "summary.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${path} cannot be read as JSON (${(error as Error).message}); rerun \`optocnn ntkd\` into a new --out`);
  }
  const parsed = NtkdSummarySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path} is not an NTKD summary of this optocnn: ${issue.path.join(".") || "(top level)"}: ${issue.message}`);
  }
  return parsed.data as unknown as NtkdSummary;
}
