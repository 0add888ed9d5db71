import * as tf from "@tensorflow/tfjs";
import { hasKernel, RELU_BIAS_GRAD_KERNEL } from "./training-kernels.js";

/**
 * Backward of y = relu(z + bias) given y and dy (channels last): dz = dy where y > 0, else 0 (NaN in y
 * propagates), and dbias = the sum of dz over every axis but the last. One fused pass where the engine
 * has the kernel, otherwise dy * step(y) (the composition tfjs' own Relu gradient uses) and a sum.
 */
export function reluBiasGrad<T extends tf.Tensor>(dy: T, y: T): { dz: T; dbias: tf.Tensor1D } {
  tf.util.assertShapesMatch(dy.shape, y.shape, "reluBiasGrad: dy and y");
  if (dy.rank < 1) throw new Error("reluBiasGrad: dy needs a channel axis (rank >= 1)");
  if (dy.size > 0 && dy.dtype === "float32" && y.dtype === "float32" && hasKernel(RELU_BIAS_GRAD_KERNEL)) {
    const [dz, dbias] = tf.engine().runKernel(RELU_BIAS_GRAD_KERNEL, { dy, y }) as [T, tf.Tensor1D];
    return { dz, dbias };
  }
  const dz = tf.mul(dy, tf.step(y)) as T;
  return { dz, dbias: tf.sum(dz, [...Array(dy.rank - 1).keys()]) as tf.Tensor1D };
}
