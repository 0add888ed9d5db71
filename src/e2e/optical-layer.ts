import * as tf from "@tensorflow/tfjs";
import type { OpticsBank } from "../dko/optics-bank.js";
import type { FirstLayer } from "../models/first-layer.js";
import { psfsToKernels } from "../optics/kernels.js";
import { psfFunction } from "../optics/tf-bridge.js";
import type { ImageFormation } from "./kernel-tensor.js";
import { formationKernelSize, psfsToKernelsTensor } from "./kernel-tensor.js";

/** Checkpoint names of the E2E layer's variables (trainDepth saves them under "replacement."). */
export const E2E_PARAMS_NAME = "optics.params";
export const E2E_SCALES_NAME = "optics.scales";

export interface E2eLayerOptions {
  /** Initial metasurface parameters [B, N, N] (the bank's parameter meaning). */
  params: Float32Array;
  /** Initial electronic scale per metasurface [B]. */
  scales: Float32Array;
  trainScales: boolean;
  formation: ImageFormation;
  /**
   * The metasurface parameters are stored divided by this factor (params = factor x variable). Adam's
   * step does not depend on the gradient's scale, so the parameters move by factor x the network's
   * learning rate per step: the optics get their own step size under the one optimiser and schedule.
   */
  parameterStepFactor: number;
  stride: number;
}

/**
 * The trainable optical first layer of E2E design: every call simulates all metasurfaces' unit-sum PSF
 * windows (the DKO bank's model, through the hand-written adjoint of optics/tf-bridge.ts), turns them
 * into signed kernels with the DKO sign split, scales and 180-degree flip (psfsToKernelsTensor) and
 * convolves the image with them.
 */
export interface E2eOpticalLayer extends FirstLayer {
  /** The metasurface parameters now [B, N, N]. */
  params(): Float32Array;
  scales(): Float32Array;
  /** The k x k kernels the layer realises now [k, k, 3, K] (the crop, as DKO's realised kernels). */
  realisedKernels(): Float32Array;
  /** The kernels the layer convolves with now, in its image formation [S, S, 3, K] (caller disposes). */
  formationKernels(): tf.Tensor4D;
  dispose(): void;
}

export function e2eOpticalLayer(bank: OpticsBank, options: E2eLayerOptions): E2eOpticalLayer {
  const N = bank.optics.cells;
  const B = bank.count;
  const M = bank.windowPixels;
  if (options.params.length !== B * N * N) throw new Error(`params: expected [${B}, ${N}, ${N}], got ${options.params.length} values`);
  if (options.scales.length !== B) throw new Error(`scales: expected ${B} values, got ${options.scales.length}`);
  if (!(options.parameterStepFactor > 0)) throw new Error(`parameterStepFactor must be > 0, got ${options.parameterStepFactor}`);
  const factor = options.parameterStepFactor;
  const model = bank.model("unit-sum");
  const psfOf = psfFunction(model);
  // In tidy, so the initial tensors go once the variables hold their values.
  const stored = tf.tidy(() => tf.variable(tf.tensor3d(options.params.map((p) => p / factor), [B, N, N]), true));
  const scales = tf.tidy(() => tf.variable(tf.tensor1d(options.scales), options.trainScales));
  const variables = new Map<string, tf.Variable>([[E2E_PARAMS_NAME, stored]]);
  if (options.trainScales) variables.set(E2E_SCALES_NAME, scales);
  const { shape } = bank;
  const size = formationKernelSize(options.formation, M, shape.kernelSize);
  const params = () => {
    const scaled = tf.mul(stored, factor);
    const values = Float32Array.from(scaled.dataSync());
    scaled.dispose();
    return values;
  };
  const formationKernels = () => tf.tidy(() => psfsToKernelsTensor(psfOf(tf.mul(stored, factor)) as tf.Tensor3D, scales, shape, options.formation));
  // Scoring a split calls apply once per batch without a gradient tape: the PSFs are simulated once and
  // kept until the next taped call (a training step, the only place the parameters change from).
  let kept: tf.Tensor4D | null = null;
  const forget = () => {
    kept?.dispose();
    kept = null;
  };
  const kernelsForApply = (): tf.Tensor4D => {
    if (tf.engine().isTapeOn()) {
      forget();
      return formationKernels();
    }
    kept ??= tf.keep(formationKernels());
    return kept;
  };
  return {
    description: `e2e optics: ${B} metasurfaces of ${N}x${N} cells, ${options.formation} (${size}x${size} kernels), scales ${options.trainScales ? "trained" : "fixed"}, stride ${options.stride}`,
    outChannels: shape.outChannels,
    stride: options.stride,
    trainableVariables: variables,
    apply: (rgb) => tf.tidy(() => tf.conv2d(rgb, kernelsForApply(), options.stride, "same")),
    params,
    formationKernels,
    scales: () => Float32Array.from(scales.dataSync()),
    realisedKernels: () => psfsToKernels(bank.windows(model.forward(params())), Float32Array.from(scales.dataSync()), shape),
    dispose: () => {
      forget();
      stored.dispose();
      scales.dispose();
    },
  };
}
