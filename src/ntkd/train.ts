import * as tf from "@tensorflow/tfjs";
import { classificationBatches } from "../data/batches.js";
import type { ClassificationSet } from "../data/types.js";
import { hashSeed } from "../util/random.js";
import { kdLoss, ntkLoss, taskLoss } from "./losses.js";
import { predict, type Trainable } from "./networks.js";
import { disposeDirections, projectedNtk, randomDirections } from "./ntk-estimator.js";

/** What a network is trained on: labels only, labels plus the teacher's soft outputs, or labels plus the teacher's NTK. */
export type Objective =
  | { kind: "task" }
  | { kind: "kd"; teacher: Trainable; temperature: number; weight: number }
  | { kind: "ntkd"; teacher: Trainable; alpha: number; beta: number; samples: number; projections: number; step: number; normalise: boolean };

export interface TrainOptions {
  net: Trainable;
  set: ClassificationSet;
  objective: Objective;
  steps: number;
  batchSize: number;
  learningRate: number;
  /** Adam step of the optics variables (net.opticsVariables). */
  opticsLearningRate: number;
  seed: number;
  onStep?: (step: number, loss: number) => void;
}

export interface TrainResult {
  seconds: number;
  /** Loss per step. */
  losses: number[];
}

/** The objective's loss on one batch, as a function of the net's current variables (differentiable). */
export function objectiveLoss(net: Trainable, objective: Objective, images: tf.Tensor4D, labels: tf.Tensor2D, directionSeed: number): tf.Scalar {
  const inputs = net.prepare(images);
  const logits = net.apply(inputs, net.variables);
  if (objective.kind === "task") return taskLoss(logits, labels);
  if (objective.kind === "kd") {
    const teacherLogits = predict(objective.teacher, images);
    return kdLoss(logits, teacherLogits, labels, objective.temperature, objective.weight);
  }
  const { teacher, projections, step } = objective;
  const samples = Math.min(objective.samples, images.shape[0]);
  const teacherImages = teacher.prepare(images.slice(0, samples));
  const ntkInputs = inputs.slice(0, samples);
  const teacherDirections = randomDirections(teacher.variables.map((v) => v.shape), projections, "orthogonal", hashSeed(directionSeed, 1));
  const studentDirections = randomDirections(net.variables.map((v) => v.shape), projections, "orthogonal", hashSeed(directionSeed, 2));
  try {
    const teacherKernel = tf.tidy(() => projectedNtk((p) => teacher.apply(teacherImages, p), teacher.variables, teacherDirections, step));
    const studentKernel = projectedNtk((p) => net.apply(ntkInputs, p), net.variables, studentDirections, step);
    const loss = taskLoss(logits, labels).mul(objective.alpha).add(ntkLoss(teacherKernel, studentKernel, objective.normalise).mul(objective.beta)) as tf.Scalar;
    tf.dispose([teacherKernel, studentKernel]);
    return loss;
  } finally {
    tf.dispose([teacherImages, ntkInputs]);
    disposeDirections(teacherDirections);
    disposeDirections(studentDirections);
  }
}

/** Adam on the net's variables (optics at their own rate) for `steps` batches, reshuffling each epoch. */
export async function trainNetwork(options: TrainOptions): Promise<TrainResult> {
  const start = performance.now();
  const { net, set, objective } = options;
  if (set.count < options.batchSize) throw new Error(`training set has ${set.count} images, fewer than one batch of ${options.batchSize}`);
  const electronic = tf.train.adam(options.learningRate);
  const optics = tf.train.adam(options.opticsLearningRate);
  const losses: number[] = [];
  try {
    for (let epoch = 0; losses.length < options.steps; epoch++) {
      for (const batch of classificationBatches(set, { batchSize: options.batchSize, shuffle: true, seed: hashSeed(options.seed, epoch), dropLast: true, labels: "onehot" })) {
        const step = losses.length;
        if (step >= options.steps) {
          tf.dispose([batch.images, batch.labels]);
          break;
        }
        const { value, grads } = tf.variableGrads(
          () => objectiveLoss(net, objective, batch.images, batch.labels as tf.Tensor2D, hashSeed(options.seed, step, 7)),
          net.variables,
        );
        const opticsGrads: { name: string; tensor: tf.Tensor }[] = [];
        const electronicGrads: { name: string; tensor: tf.Tensor }[] = [];
        for (const v of net.variables) (net.opticsVariables.has(v) ? opticsGrads : electronicGrads).push({ name: v.name, tensor: grads[v.name] });
        if (electronicGrads.length) electronic.applyGradients(electronicGrads);
        if (opticsGrads.length) optics.applyGradients(opticsGrads);
        const loss = (await value.data())[0];
        if (!Number.isFinite(loss)) throw new Error(`training diverged at step ${step} (loss ${loss}); lower the learning rate`);
        losses.push(loss);
        tf.dispose([value, ...Object.values(grads), batch.images, batch.labels]);
        options.onStep?.(step, loss);
        // Let signal handlers (Ctrl-C, SIGTERM) run between steps; onStep may then throw to stop.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    electronic.dispose();
    optics.dispose();
  }
  return { seconds: (performance.now() - start) / 1000, losses };
}

export interface Evaluation {
  accuracy: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
}

/** Accuracy and confusion matrix of a network on a set (batches of `batchSize`). */
export function evaluate(net: Trainable, set: ClassificationSet, batchSize = 500): Evaluation {
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  let correct = 0;
  for (const batch of classificationBatches(set, { batchSize })) {
    const argmax = tf.tidy(() => predict(net, batch.images).argMax(1));
    const predicted = argmax.dataSync();
    argmax.dispose();
    const labels = batch.labels.dataSync();
    for (let i = 0; i < predicted.length; i++) {
      confusion[labels[i]][predicted[i]]++;
      if (labels[i] === predicted[i]) correct++;
    }
    tf.dispose([batch.images, batch.labels]);
  }
  return { accuracy: correct / set.count, confusion };
}
