import * as tf from "@tensorflow/tfjs";
import { gaussianSampler } from "../optics/fabrication.js";

/**
 * The networks of NTKD as explicit parameter lists, so that the NTK estimator can evaluate them at
 * perturbed parameters: a Trainable is its variables plus a pure function of (images, parameters).
 * Images are [n, 28, 28, 1] in [0, 1]; outputs are logits [n, 10].
 */
export const CLASSES = 10;

export interface Trainable {
  readonly variables: tf.Variable[];
  /** Variables stepped with the optics learning rate (metasurface phases). */
  readonly opticsVariables: ReadonlySet<tf.Variable>;
  /** The part of the forward pass no variable changes (a fixed sensor readout), once per batch; else the images. */
  prepare(images: tf.Tensor4D): tf.Tensor4D;
  apply(inputs: tf.Tensor4D, params: readonly tf.Tensor[]): tf.Tensor2D;
}

/** The network's logits at its current variables. */
export function predict(net: Trainable, images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => net.apply(net.prepare(images), net.variables));
}

export function parameterCount(variables: readonly tf.Variable[]): number {
  return variables.reduce((sum, v) => sum + v.size, 0);
}

/** He-normal weights (std sqrt(2 / fanIn)) from a seeded generator, so a seed gives the same network on any backend. */
export function heNormal(shape: number[], fanIn: number, seed: number, name: string): tf.Variable {
  const normal = gaussianSampler(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const std = Math.sqrt(2 / fanIn);
  // tf.variable shares the initial tensor's data; tidy frees the initial tensor itself.
  return tf.tidy(() => tf.variable(tf.tensor(Float32Array.from({ length: size }, () => std * normal()), shape), true, name));
}

export function zeros(shape: number[], name: string): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zeros(shape), true, name));
}

let uniqueCounter = 0;
/** tfjs variable names must be unique per process. */
export function uniqueName(base: string): string {
  return `${base}_${uniqueCounter++}`;
}

/**
 * Electronic teacher: conv3x3(c1) stride 2 relu, conv3x3(c2) stride 2 relu, fc(hidden) relu, fc(10).
 * Strided convolutions rather than max pooling: the engine's convolutions (oneDNN) are far faster than
 * its pooling gradients.
 */
export function createTeacher(options: { channels: readonly number[]; hidden: number }, seed: number): Trainable {
  const [c1, c2] = options.channels;
  if (options.channels.length !== 2) throw new Error(`teacher.channels: give the channels of the two convolution layers, got [${options.channels.join(", ")}]`);
  const flat = 7 * 7 * c2;
  const variables = [
    heNormal([3, 3, 1, c1], 9, seed * 16 + 1, uniqueName("teacher.conv1")),
    zeros([c1], uniqueName("teacher.bias1")),
    heNormal([3, 3, c1, c2], 9 * c1, seed * 16 + 2, uniqueName("teacher.conv2")),
    zeros([c2], uniqueName("teacher.bias2")),
    heNormal([flat, options.hidden], flat, seed * 16 + 3, uniqueName("teacher.fc1")),
    zeros([options.hidden], uniqueName("teacher.bias3")),
    heNormal([options.hidden, CLASSES], options.hidden, seed * 16 + 4, uniqueName("teacher.fc2")),
    zeros([CLASSES], uniqueName("teacher.bias4")),
  ];
  return {
    variables,
    opticsVariables: new Set(),
    prepare: (images) => images,
    apply: (images, p) =>
      tf.tidy(() => {
        const layer = (x: tf.Tensor4D, kernel: tf.Tensor, bias: tf.Tensor) => tf.relu(tf.conv2d(x, kernel as tf.Tensor4D, 2, "same").add(bias)) as tf.Tensor4D;
        const x = layer(layer(images, p[0], p[1]), p[2], p[3]);
        const hidden = tf.relu(tf.matMul(x.reshape([x.shape[0], flat]), p[4] as tf.Tensor2D).add(p[5]));
        return tf.matMul(hidden, p[6] as tf.Tensor2D).add(p[7]) as tf.Tensor2D;
      }),
  };
}

/**
 * The student's digital back end behind K feature maps [n, 28, 28, K]: relu, average pooling by `pool`,
 * fc(hidden) relu, fc(10). Its four parameters are (fc1, bias1, fc2, bias2).
 */
export class BackEnd {
  readonly variables: tf.Variable[];
  readonly flat: number;
  /** Average pooling as a strided convolution with a fixed per-channel box kernel (fast on the engine). */
  private readonly poolKernel: tf.Tensor4D;

  constructor(readonly options: { kernels: number; pool: number; hidden: number }, seed: number) {
    const side = Math.floor(28 / options.pool);
    this.flat = side * side * options.kernels;
    const { pool, kernels } = options;
    const box = new Float32Array(pool * pool * kernels * kernels);
    for (let i = 0; i < pool * pool; i++) for (let c = 0; c < kernels; c++) box[(i * kernels + c) * kernels + c] = 1 / (pool * pool);
    this.poolKernel = tf.tensor4d(box, [pool, pool, kernels, kernels]);
    this.variables = [
      heNormal([this.flat, options.hidden], this.flat, seed * 16 + 5, uniqueName("student.fc1")),
      zeros([options.hidden], uniqueName("student.bias1")),
      heNormal([options.hidden, CLASSES], options.hidden, seed * 16 + 6, uniqueName("student.fc2")),
      zeros([CLASSES], uniqueName("student.bias2")),
    ];
  }

  apply(features: tf.Tensor4D, p: readonly tf.Tensor[]): tf.Tensor2D {
    return tf.tidy(() => {
      const pooled = tf.conv2d(tf.relu(features), this.poolKernel, this.options.pool, "valid");
      const hidden = tf.relu(tf.matMul(pooled.reshape([pooled.shape[0], this.flat]), p[0] as tf.Tensor2D).add(p[1]));
      return tf.matMul(hidden, p[2] as tf.Tensor2D).add(p[3]) as tf.Tensor2D;
    });
  }

  dispose(): void {
    tf.dispose([...this.variables, this.poolKernel]);
  }

  /** Copies another back end's weights (same shape) into this one. */
  assign(from: BackEnd): void {
    this.variables.forEach((v, i) => v.assign(from.variables[i]));
  }
}

/**
 * The student's architecture with an electronic first layer (one conv k x k, K kernels, no bias): DKO's
 * stage 1, whose kernels the metasurfaces are then fitted to.
 */
export function createElectronicStudent(options: { kernels: number; kernelSize: number; pool: number; hidden: number }, seed: number): Trainable & { kernel: tf.Variable; backEnd: BackEnd } {
  const k = options.kernelSize;
  const kernel = heNormal([k, k, 1, options.kernels], k * k, seed * 16 + 7, uniqueName("electronic.kernel"));
  const backEnd = new BackEnd(options, seed);
  return {
    kernel,
    backEnd,
    variables: [kernel, ...backEnd.variables],
    opticsVariables: new Set(),
    prepare: (images) => images,
    apply: (images, p) => tf.tidy(() => backEnd.apply(tf.conv2d(images, p[0] as tf.Tensor4D, 1, "same"), p.slice(1))),
  };
}

export function disposeTrainable(net: { variables: readonly tf.Variable[] }): void {
  tf.dispose(net.variables as tf.Variable[]);
}
