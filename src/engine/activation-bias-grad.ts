import * as tf from "@tensorflow/tfjs";
import { ACTIVATION_BIAS_GRAD_KERNEL, hasKernel } from "./training-kernels.js";

/** Activations a fused convolution can end with; their gradients follow from the output y alone. */
export type FusedActivation = "linear" | "relu" | "elu";

/** The activations with a derivative pass (a linear layer's dz is dy itself). */
export type NonlinearActivation = Exclude<FusedActivation, "linear">;

/** The addon's and the kernel attribute's code of each activation. */
export const ACTIVATION_CODES: Record<FusedActivation, number> = { linear: 0, relu: 1, elu: 2 };

/**
 * Backward of y = act(z + bias) given y and dy (channels last), with dz computed as tfjs' own gradients
 * do: ReLU dz = dy where y > 0, else 0 (NaN in y propagates); ELU (alpha 1) dz = dy where y > 0, else
 * dy (y + 1). dbias = the sum of dz over every axis but the last. One fused pass where
 * the engine has the kernel, otherwise tfjs' composition (dy * step(y), EluGrad) and a sum.
 */
export function activationBiasGrad<T extends tf.Tensor>(dy: T, y: T, activation: NonlinearActivation): { dz: T; dbias: tf.Tensor1D } {
  tf.util.assertShapesMatch(dy.shape, y.shape, "activationBiasGrad: dy and y");
  if (dy.rank < 1) throw new Error("activationBiasGrad: dy needs a channel axis (rank >= 1)");
  if (dy.size > 0 && dy.dtype === "float32" && y.dtype === "float32" && hasKernel(ACTIVATION_BIAS_GRAD_KERNEL)) {
    const [dz, dbias] = tf.engine().runKernel(ACTIVATION_BIAS_GRAD_KERNEL, { dy, y }, { activation: ACTIVATION_CODES[activation] }) as [T, tf.Tensor1D];
    return { dz, dbias };
  }
  const dz = activation === "relu" ? (tf.mul(dy, tf.step(y)) as T) : (tf.engine().runKernel(tf.EluGrad, { dy, y }) as T);
  return { dz, dbias: tf.sum(dz, [...Array(dy.rank - 1).keys()]) as tf.Tensor1D };
}
