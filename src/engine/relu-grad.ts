import * as tf from "@tensorflow/tfjs";
import { hasKernel, RELU_GRAD_KERNEL } from "./training-kernels.js";

/**
 * Gradient of y = relu(x) given y: dy where y > 0, else 0 (NaN in y propagates). One fused kernel
 * where the engine has it, otherwise dy * step(y) (the composition tfjs' own Relu gradient uses).
 */
export function reluGrad<T extends tf.Tensor>(dy: T, y: T): T {
  if (dy.dtype === "float32" && y.dtype === "float32" && hasKernel(RELU_GRAD_KERNEL)) {
    tf.util.assertShapesMatch(dy.shape, y.shape, "reluGrad: dy and y");
    return tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, y }) as T;
  }
  return tf.mul(dy, tf.step(y));
}
