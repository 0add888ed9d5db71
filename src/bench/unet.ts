import * as tf from "@tensorflow/tfjs";
import { conv2dBiasActivation } from "../engine/fused-conv.js";
import { upsampleConcat } from "../engine/upsample-concat.js";

/**
 * The benchmark U-Net (not the depth model): channels 16-32-64, two 3x3 conv+ReLU per level, 2x2 max
 * pooling down, nearest-neighbour upsampling and concatenated skips up, a 1x1 conv head to one channel,
 * mean squared error. src/bench/torch-peer.ts defines the identical network for PyTorch.
 */
export const UNET_CHANNELS = [16, 32, 64] as const;
export const UNET_INPUT_CHANNELS = 3;

interface ConvSpec {
  name: string;
  inChannels: number;
  outChannels: number;
  size: number;
  /** Resolution divisor relative to the input (1, 2, 4). */
  scale: number;
}

/** The convolutions of the network in execution order. */
export function unetConvs(): ConvSpec[] {
  const [c1, c2, c3] = UNET_CHANNELS;
  return [
    { name: "enc1a", inChannels: UNET_INPUT_CHANNELS, outChannels: c1, size: 3, scale: 1 },
    { name: "enc1b", inChannels: c1, outChannels: c1, size: 3, scale: 1 },
    { name: "enc2a", inChannels: c1, outChannels: c2, size: 3, scale: 2 },
    { name: "enc2b", inChannels: c2, outChannels: c2, size: 3, scale: 2 },
    { name: "mid_a", inChannels: c2, outChannels: c3, size: 3, scale: 4 },
    { name: "mid_b", inChannels: c3, outChannels: c3, size: 3, scale: 4 },
    { name: "dec2a", inChannels: c3 + c2, outChannels: c2, size: 3, scale: 2 },
    { name: "dec2b", inChannels: c2, outChannels: c2, size: 3, scale: 2 },
    { name: "dec1a", inChannels: c2 + c1, outChannels: c1, size: 3, scale: 1 },
    { name: "dec1b", inChannels: c1, outChannels: c1, size: 3, scale: 1 },
    { name: "head", inChannels: c1, outChannels: 1, size: 1, scale: 1 },
  ];
}

/**
 * Multiply-add FLOPs (2 per MAC) of one training step's convolutions: forward, gradient of the filter,
 * and gradient of the input except for the first layer (the image needs none). Element-wise work,
 * pooling and Adam are not counted.
 */
export function unetStepFlops(batch: number, size: number): number {
  return unetConvs().reduce((total, c, i) => {
    const pixels = (size / c.scale) ** 2;
    const forward = 2 * batch * pixels * c.size * c.size * c.inChannels * c.outChannels;
    return total + forward * (i === 0 ? 2 : 3);
  }, 0);
}

export interface BenchUnet {
  /** Trainable weights by layer and role ("enc1a/kernel", "enc1a/bias", ...). */
  variables: Map<string, tf.Variable>;
  /** Prediction [batch, size, size, 1] for an NHWC image batch. */
  apply(x: tf.Tensor4D): tf.Tensor4D;
  dispose(): void;
}

/** He-normal weights, zero biases, fixed seed (initialisation does not matter for timing). */
export function buildBenchUnet(seed = 1): BenchUnet {
  const layers = new Map<string, { kernel: tf.Variable; bias: tf.Variable }>();
  let nextSeed = seed;
  for (const c of unetConvs()) {
    const fanIn = c.size * c.size * c.inChannels;
    layers.set(c.name, {
      kernel: tf.tidy(() => tf.variable(tf.randomNormal([c.size, c.size, c.inChannels, c.outChannels], 0, Math.sqrt(2 / fanIn), "float32", nextSeed++))),
      bias: tf.tidy(() => tf.variable(tf.zeros([c.outChannels]))),
    });
  }
  const conv = (x: tf.Tensor4D, name: string, activation: "relu" | "linear" = "relu"): tf.Tensor4D => {
    const layer = layers.get(name)!;
    return conv2dBiasActivation(x, layer.kernel as tf.Tensor4D, layer.bias as tf.Tensor1D, { pad: "same", activation });
  };
  const pool = (x: tf.Tensor4D) => tf.maxPool(x, 2, 2, "valid");
  const apply = (x: tf.Tensor4D): tf.Tensor4D => {
    const e1 = conv(conv(x, "enc1a"), "enc1b");
    const e2 = conv(conv(pool(e1), "enc2a"), "enc2b");
    const mid = conv(conv(pool(e2), "mid_a"), "mid_b");
    const d2 = conv(conv(upsampleConcat(mid, e2), "dec2a"), "dec2b");
    const d1 = conv(conv(upsampleConcat(d2, e1), "dec1a"), "dec1b");
    return conv(d1, "head", "linear");
  };
  const variables = new Map<string, tf.Variable>();
  for (const [name, layer] of layers) {
    variables.set(`${name}/kernel`, layer.kernel);
    variables.set(`${name}/bias`, layer.bias);
  }
  return { variables, apply, dispose: () => variables.forEach((v) => v.dispose()) };
}
