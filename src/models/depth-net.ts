import * as tf from "@tensorflow/tfjs";
import type { FusedActivation } from "../engine/activation-bias-grad.js";
import { conv2dBiasActivation } from "../engine/fused-conv.js";
import { upsampleConcat } from "../engine/upsample-concat.js";
import { DepthNetConfigSchema, type DepthNetConfig } from "./depth-net-config.js";
import { convFirstLayer, type FirstLayer } from "./first-layer.js";

/**
 * A depth network split at the first layer:
 *   depth = backEnd(firstLayer(rgb))
 * firstLayer: conv with `firstLayerKernel` [k, k, 3, K], stride s, 'same' padding, no bias.
 * backEnd: features [B, H/s, W/s, K] -> depth [B, H, W, 1] in metres, inside config.depthRange_m.
 * Parameters are plain tf.Variables with stable names (`variables`), saved as .npy (weights-io.ts).
 */
export interface DepthNet {
  readonly config: DepthNetConfig;
  readonly firstLayerKernel: tf.Variable<tf.Rank.R4>;
  /** The electronic first layer (trainable conv on firstLayerKernel). */
  readonly firstLayer: FirstLayer;
  backEnd(features: tf.Tensor4D): tf.Tensor4D;
  /** backEnd(firstLayer(rgb)); pass another FirstLayer (optical) to run the back end behind it. */
  predict(rgb: tf.Tensor4D, firstLayer?: FirstLayer): tf.Tensor4D;
  readonly backEndVariables: ReadonlyMap<string, tf.Variable>;
  /** All parameters by stable name: "first.kernel" and the back end's. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  readonly trainableWeights: tf.Variable[];
  readonly parameterCount: number;
  dispose(): void;
}

export const FIRST_KERNEL_NAME = "first.kernel";

interface Conv {
  kernel: tf.Variable;
  bias: tf.Variable;
}

/** Builds a freshly initialised network (He-normal convolutions, seeded by config.seed). */
export function buildDepthNet(configInput: DepthNetConfig): DepthNet {
  const config = DepthNetConfigSchema.parse(configInput);
  const variables = new Map<string, tf.Variable>();
  // tfjs treats seed 0 as "no seed" (Math.random), so variable seeds start at 1.
  let seed = config.seed * 1009 + 1;
  const heNormal = (shape: number[], fanIn: number) => tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), "float32", seed++);
  const add = (name: string, initial: tf.Tensor): tf.Variable => {
    const v = tf.variable(initial);
    initial.dispose();
    variables.set(name, v);
    return v;
  };
  // Residual branches start at zero so each block is the identity at first: stable without batch norm.
  const conv = (name: string, inC: number, outC: number, zeroInit = false): Conv => ({
    kernel: add(`${name}.kernel`, zeroInit ? tf.zeros([3, 3, inC, outC]) : heNormal([3, 3, inC, outC], 9 * inC)),
    bias: add(`${name}.bias`, tf.zeros([outC])),
  });

  const { kernels: K, size, stride } = config.firstLayer;
  const firstLayerKernel = add(FIRST_KERNEL_NAME, heNormal([size, size, 3, K], size * size * 3)) as tf.Variable<tf.Rank.R4>;
  const firstLayer = convFirstLayer(firstLayerKernel, stride, {
    trainable: true,
    description: `electronic conv ${K}x${size}x${size} stride ${stride}`,
    variableName: FIRST_KERNEL_NAME,
  });

  // The electronic read-out of the first-layer maps: a per-channel offset, then ReLU.
  const inputBias = add("backend.input_bias", tf.zeros([K]));
  const skipChannels = new Map<number, number>([[stride, K]]);
  const stages: { down: Conv; blocks: { conv1: Conv; conv2: Conv }[] }[] = [];
  let channels = K;
  let scale = stride;
  config.encoder.forEach((stage, i) => {
    const down = conv(`enc${i}.down`, channels, stage.channels);
    const blocks = Array.from({ length: stage.blocks }, (_, j) => ({
      conv1: conv(`enc${i}.block${j}.conv1`, stage.channels, stage.channels),
      conv2: conv(`enc${i}.block${j}.conv2`, stage.channels, stage.channels, true),
    }));
    stages.push({ down, blocks });
    channels = stage.channels;
    scale *= 2;
    if (i < config.encoder.length - 1) skipChannels.set(scale, channels);
  });
  const levels = config.decoderChannels.map((outC, j) => {
    const upconv0 = conv(`dec${j}.upconv0`, channels, outC);
    scale /= 2;
    const upconv1 = conv(`dec${j}.upconv1`, outC + (skipChannels.get(scale) ?? 0), outC);
    channels = outC;
    return { upconv0, upconv1, scale };
  });
  const head = conv("head", channels, 1);

  // One FusedConv2D kernel per layer (bias and ReLU or ELU included), also while training.
  const apply = (x: tf.Tensor4D, c: Conv, activation: FusedActivation = "linear", strides = 1): tf.Tensor4D =>
    conv2dBiasActivation(x, c.kernel as tf.Tensor4D, c.bias as tf.Tensor1D, { strides, pad: "same", activation });
  const [minDepth_m, maxDepth_m] = config.depthRange_m;
  const logMin = Math.log(minDepth_m);
  const logSpan = Math.log(maxDepth_m) - logMin;

  const featureShape = [config.inputHeight / stride, config.inputWidth / stride, K];
  const backEnd = (features: tf.Tensor4D): tf.Tensor4D =>
    tf.tidy(() => {
      if (features.rank !== 4 || features.shape.slice(1).join(",") !== featureShape.join(",")) {
        throw new Error(`the back end expects first-layer maps [B, ${featureShape.join(", ")}], got [${features.shape.join(", ")}]`);
      }
      let x = tf.relu(tf.add<tf.Tensor4D>(features, inputBias));
      const skips = new Map<number, tf.Tensor4D>([[stride, x]]);
      let s = stride;
      stages.forEach((stage, i) => {
        x = apply(x, stage.down, "relu", 2);
        for (const block of stage.blocks) x = tf.relu(tf.add<tf.Tensor4D>(x, apply(apply(x, block.conv1, "relu"), block.conv2)));
        s *= 2;
        if (i < stages.length - 1) skips.set(s, x);
      });
      for (const level of levels) {
        x = apply(x, level.upconv0, "elu");
        const skip = skips.get(level.scale);
        x = skip ? upsampleConcat(x, skip) : tf.image.resizeNearestNeighbor(x, [x.shape[1] * 2, x.shape[2] * 2]);
        x = apply(x, level.upconv1, "elu");
      }
      // Sigmoid on log depth: the output always lies inside the data set's depth range.
      return tf.exp(tf.add<tf.Tensor4D>(logMin, tf.mul(logSpan, tf.sigmoid(apply(x, head)))));
    });

  const backEndVariables = new Map([...variables].filter(([name]) => name !== FIRST_KERNEL_NAME));
  const trainableWeights = [...variables.values()];
  return {
    config,
    firstLayerKernel,
    firstLayer,
    backEnd,
    predict: (rgb, replacement) => tf.tidy(() => backEnd((replacement ?? firstLayer).apply(rgb))),
    backEndVariables,
    variables,
    trainableWeights,
    parameterCount: trainableWeights.reduce((n, v) => n + v.size, 0),
    dispose: () => trainableWeights.forEach((v) => v.dispose()),
  };
}
