import * as tf from "@tensorflow/tfjs";
import type { ClassificationSet } from "../data/types.js";
import { perturbPhase } from "../optics/fabrication.js";
import { hashSeed } from "../util/random.js";
import type { NtkdConfig } from "./config.js";
import { drawSensorErrors, sensorReadPsfs, type SensorErrors } from "./fabrication.js";
import type { Trainable } from "./networks.js";
import { type OpticalStudent, subImageKernels } from "./optical-student.js";
import { PhaseClock } from "./phase-clock.js";
import { evaluate, trainNetwork, type Evaluation } from "./train.js";

/**
 * A trained optical student, fabricated (fabrication.ts: phase error, gain, misalignment, read noise),
 * scored before compensation, then with only its back end fine-tuned on finetuneFraction of the training
 * images, once with the task loss alone and once with the NTKD loss (alpha task + beta NTK against the
 * teacher), both from the same starting weights and for the same steps. Also the accuracy of the
 * unfabricated-sensor student versus phase error rms alone (the sweep).
 */
export interface FabricationResult {
  phaseRms_rad: number;
  design: number;
  fabricated: number;
  finetuneTask: number;
  finetuneNtkd: number;
  finetuneImages: number;
  sweep: { phaseRms_rad: number; accuracy: number }[];
}

/** Sub-image kernels of the student's optics with the given phases and sensor errors (no gradient). */
function fabricatedKernels(student: OpticalStudent, phases: Float32Array, errors: SensorErrors | null): tf.Tensor4D {
  const M = student.bank.windowPixels;
  const psfs = student.model.forward(phases);
  const read = errors ? sensorReadPsfs(psfs, M, errors) : psfs;
  return tf.tidy(() => subImageKernels(tf.tensor3d(read, [student.bank.count, M, M]), student.kernelSize));
}

export async function fabricationStudy(options: {
  config: NtkdConfig;
  student: OpticalStudent;
  teacher: Trainable;
  train: ClassificationSet;
  test: ClassificationSet;
  seed: number;
  /** The student's test accuracy as trained: its design seen through fixed optics is the same network, so it is not scored again. */
  designAccuracy: number;
  /** Receives the study's phases as fabrication.scoring, .finetuneTask, .finetuneNtkd and .sweep. */
  clock?: PhaseClock;
}): Promise<FabricationResult> {
  const { config, student, teacher, train, test, seed, designAccuracy } = options;
  const clock = options.clock ?? new PhaseClock();
  const fab = config.fabrication;
  const design = Float32Array.from(student.phases.dataSync());
  const score = (kernels: tf.Tensor4D, noise?: { std: number; seed: number }): Promise<Evaluation> =>
    clock.time("fabrication.scoring", () => evaluate(student.behindFixedOptics(kernels, noise), test));

  const errors = drawSensorErrors(student.bank.count, fab, hashSeed(seed, 11));
  const kernels = fabricatedKernels(student, perturbPhase(design, fab.phaseRms_rad, hashSeed(seed, 12)), errors);
  const noise = { std: fab.noiseStd, seed: hashSeed(seed, 13) };
  const finetuneImages = Math.max(config.training.batchSize, Math.round(train.count * fab.finetuneFraction));
  const pixels = train.height * train.width;
  const subset: ClassificationSet = { ...train, images: train.images.subarray(0, finetuneImages * pixels), labels: train.labels.subarray(0, finetuneImages), count: finetuneImages };
  const start = student.backEnd.variables.map((v) => v.clone());
  try {
    const fabricated = (await score(kernels, noise)).accuracy;
    const common = {
      set: subset,
      steps: fab.finetuneSteps,
      batchSize: config.training.batchSize,
      learningRate: config.training.learningRate,
      opticsLearningRate: config.training.opticsLearningRate,
      seed: hashSeed(seed, 14),
    };
    const net = student.behindFixedOptics(kernels, noise);
    await clock.time("fabrication.finetuneTask", () => trainNetwork({ ...common, net, objective: { kind: "task" } }));
    const finetuneTask = (await score(kernels, noise)).accuracy;
    student.backEnd.variables.forEach((v, i) => v.assign(start[i]));
    const { alpha, beta, ntkSamples: samples, projections, step, normalise } = config.loss;
    await clock.time("fabrication.finetuneNtkd", () => trainNetwork({ ...common, net, objective: { kind: "ntkd", teacher, alpha, beta, samples, projections, step, normalise } }));
    const finetuneNtkd = (await score(kernels, noise)).accuracy;
    student.backEnd.variables.forEach((v, i) => v.assign(start[i]));
    const withPhaseError = (rms: number) => {
      const swept = fabricatedKernels(student, perturbPhase(design, rms, hashSeed(seed, 15)), null);
      try {
        return evaluate(student.behindFixedOptics(swept), test).accuracy;
      } finally {
        swept.dispose();
      }
    };
    const sweep: FabricationResult["sweep"] = [];
    for (const rms of fab.sweepRms_rad) {
      // No phase error is the design itself.
      sweep.push({ phaseRms_rad: rms, accuracy: rms === 0 ? designAccuracy : await clock.time("fabrication.sweep", () => withPhaseError(rms)) });
    }
    return { phaseRms_rad: fab.phaseRms_rad, design: designAccuracy, fabricated, finetuneTask, finetuneNtkd, finetuneImages, sweep };
  } finally {
    tf.dispose([kernels, ...start]);
  }
}
