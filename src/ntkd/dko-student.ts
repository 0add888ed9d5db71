import * as tf from "@tensorflow/tfjs";
import type { ClassificationSet } from "../data/types.js";
import { synthesizeMetasurfaces } from "../dko/synthesize.js";
import { kernelTargetsFrom } from "../dko/targets.js";
import type { NtkdConfig } from "./config.js";
import { createElectronicStudent } from "./networks.js";
import { OpticalStudent } from "./optical-student.js";
import { PhaseClock } from "./phase-clock.js";
import { trainNetwork } from "./train.js";

/**
 * The DKO mode inside the same step budget: stage 1 trains the student architecture with an electronic
 * first layer for stage1Fraction of the steps; its kernels are split into PSF pairs and metasurfaces are
 * fitted to them (src/dko/synthesize.ts, no images in that loop); the back end, started from stage 1's,
 * is then trained for the remaining steps behind the fixed realised optics and the kernels' scales.
 */
export async function trainDkoStudent(options: {
  config: NtkdConfig;
  train: ClassificationSet;
  seed: number;
  onStep?: (step: number, loss: number) => void;
  /** Receives the stages as dko.stage1, dko.synthesis and dko.stage2. */
  clock?: PhaseClock;
}) {
  const { config, train, seed } = options;
  const clock = options.clock ?? new PhaseClock();
  const { training } = config;
  const stage1Steps = Math.max(1, Math.round(training.steps * config.dko.stage1Fraction));
  const common = { set: train, batchSize: training.batchSize, learningRate: training.learningRate, opticsLearningRate: training.opticsLearningRate, seed };
  const electronic = createElectronicStudent(config.student, seed);
  const student = new OpticalStudent(config.optics, config.student, seed);
  try {
    const stage1 = await clock.time("dko.stage1", () => trainNetwork({ ...common, net: electronic, objective: { kind: "task" }, steps: stage1Steps, onStep: options.onStep }));
    const { kernelSize: k, kernels } = config.student;
    const targets = kernelTargetsFrom(Float32Array.from(electronic.kernel.dataSync()), { kernelSize: k, inChannels: 1, outChannels: kernels });
    // Shape-only fit (no efficiency weight): the student reads its kernels from the window crops, never a sensor's whole image.
    const synthesis = await clock.time("dko.synthesis", () => synthesizeMetasurfaces({
      model: student.bank.model("incident-energy"),
      targets: student.bank.targetWindows(targets.targets).data,
      active: targets.active,
      initialParams: Float32Array.from(student.phases.dataSync()),
      optimiser: {
        learningRate: config.dko.synthesisLearningRate,
        weightDecay: 0,
        steps: config.dko.synthesisSteps,
        patience: config.dko.synthesisSteps,
        tolerance: 0,
        seed,
        initNoise_rad: config.optics.initNoise_rad,
      },
    }));
    tf.tidy(() => {
      student.phases.assign(tf.tensor3d(synthesis.params, student.phases.shape as [number, number, number]));
      student.scales.assign(tf.tensor1d(targets.scales));
    });
    student.backEnd.assign(electronic.backEnd);
    const subKernels = student.currentSubKernels();
    const stage2 = await clock.time("dko.stage2", () => trainNetwork({
      ...common,
      net: student.behindFixedOptics(subKernels),
      objective: { kind: "task" },
      steps: training.steps - stage1Steps,
      onStep: (step, loss) => options.onStep?.(stage1Steps + step, loss),
    }));
    return {
      student,
      subKernels,
      stage1Steps,
      synthesis: { steps: synthesis.stepsRun, initialLoss: mean(synthesis.initialLoss, targets.active), finalLoss: mean(synthesis.finalLoss, targets.active), seconds: synthesis.seconds },
      seconds: stage1.seconds + synthesis.seconds + stage2.seconds,
    };
  } catch (error) {
    student.dispose();
    throw error;
  } finally {
    electronic.backEnd.dispose();
    electronic.kernel.dispose();
  }
}

function mean(values: Float64Array, active: boolean[]): number {
  const kept = Array.from(values).filter((_, b) => active[b]);
  return kept.length ? kept.reduce((a, v) => a + v, 0) / kept.length : 0;
}
