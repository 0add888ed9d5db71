import * as tf from "@tensorflow/tfjs";
import type { ClassificationSet } from "../data/types.js";
import type { NtkdConfig } from "./config.js";
import { kernelRidgeFit, kernelRidgePredict } from "./kernel-ridge.js";
import { CLASSES } from "./networks.js";
import { disposeDirections, ntkFeatures, randomDirections } from "./ntk-estimator.js";
import { OpticalStudent } from "./optical-student.js";

/**
 * Accuracy reachable by the optical student, estimated before training: kernel ridge regression with
 * the student architecture's empirical NTK at initialisation (the linearised network's kernel),
 *   scores(x) = K(x, X) (K(X, X) + lambda I)^-1 (Y - 1/C),
 * on one-hot targets Y of `trainSamples` training images, lambda = ridge x mean diag K(X, X) with the
 * ridge chosen on the next `validationSamples` training images, scored on `testSamples` test images.
 * The NTK is the projected estimate of ntk-estimator.ts with `projections` orthogonal directions over all
 * of the student's parameters (phases, gains, back end).
 */
export interface AccuracyEstimate {
  kernels: number;
  accuracy: number;
  ridge: number;
  validation: { ridge: number; accuracy: number }[];
  seconds: number;
}

function subset(set: ClassificationSet, start: number, count: number): ClassificationSet {
  const end = Math.min(set.count, start + count);
  if (end <= start) throw new Error(`estimate: the set has ${set.count} images, none left after ${start}; lower estimate.trainSamples / validationSamples`);
  const pixels = set.height * set.width;
  return { images: set.images.subarray(start * pixels, end * pixels), labels: set.labels.subarray(start, end), count: end - start, height: 28, width: 28 };
}

function argmaxAccuracy(scores: Float64Array, labels: Uint8Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (scores[i * CLASSES + c] > scores[i * CLASSES + best]) best = c;
    if (best === labels[i]) correct++;
  }
  return correct / labels.length;
}

/** Rows of A [m, P] times rows of B [n, P]: A B^T [m, n] in float64. */
function gram(a: Float32Array, m: number, b: Float32Array, n: number, P: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < P; p++) sum += a[i * P + p] * b[j * P + p];
      out[i * n + j] = sum;
    }
  }
  return out;
}

export function ntkAccuracyEstimate(options: { config: NtkdConfig; kernels: number; train: ClassificationSet; test: ClassificationSet; seed: number }): AccuracyEstimate {
  const start = performance.now();
  const { config, kernels } = options;
  const e = config.estimate;
  const fit = subset(options.train, 0, e.trainSamples);
  const validation = subset(options.train, fit.count, e.validationSamples);
  const test = subset(options.test, 0, e.testSamples);
  const student = new OpticalStudent(config.optics, { ...config.student, kernels }, options.seed);
  const net = student.trainable();
  const directions = randomDirections(net.variables.map((v) => v.shape), e.projections, "orthogonal", options.seed * 16 + 9);
  const P = e.projections * CLASSES;
  // All images in one pass: each direction's PSFs are simulated once.
  const all = [fit, validation, test];
  const images = new Float32Array(all.reduce((a, set) => a + set.images.length, 0));
  all.reduce((offset, set) => (images.set(set.images, offset), offset + set.images.length), 0);
  let phi: Float32Array;
  try {
    const features = tf.tidy(() => {
      const batch = tf.tensor4d(images, [images.length / (28 * 28), 28, 28, 1]);
      const inputs = net.prepare(batch);
      return ntkFeatures((p) => net.apply(inputs, p), net.variables, directions, config.loss.step);
    });
    phi = Float32Array.from(features.dataSync());
    features.dispose();
  } finally {
    disposeDirections(directions);
    student.dispose();
  }
  const phiFit = phi.subarray(0, fit.count * P);
  const phiValidation = phi.subarray(fit.count * P, (fit.count + validation.count) * P);
  const phiTest = phi.subarray((fit.count + validation.count) * P);
  const n = fit.count;
  const kernel = gram(phiFit, n, phiFit, n, P);
  let meanDiagonal = 0;
  for (let i = 0; i < n; i++) meanDiagonal += kernel[i * n + i] / n;
  const targets = new Float64Array(n * CLASSES);
  fit.labels.forEach((label, i) => {
    for (let c = 0; c < CLASSES; c++) targets[i * CLASSES + c] = (c === label ? 1 : 0) - 1 / CLASSES;
  });
  const crossValidation = gram(phiValidation, validation.count, phiFit, n, P);
  const scored = e.ridges.map((ridge) => {
    const coefficients = kernelRidgeFit(kernel, n, ridge * meanDiagonal, targets, CLASSES);
    return { ridge, accuracy: argmaxAccuracy(kernelRidgePredict(crossValidation, validation.count, n, coefficients, CLASSES), validation.labels), coefficients };
  });
  const best = scored.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  const crossTest = gram(phiTest, test.count, phiFit, n, P);
  const accuracy = argmaxAccuracy(kernelRidgePredict(crossTest, test.count, n, best.coefficients, CLASSES), test.labels);
  return {
    kernels,
    accuracy,
    ridge: best.ridge,
    validation: scored.map(({ ridge, accuracy }) => ({ ridge, accuracy })),
    seconds: (performance.now() - start) / 1000,
  };
}
