import * as tf from "@tensorflow/tfjs";
import { hasKernel, UPSAMPLE_CONCAT_GRAD_KERNEL, UPSAMPLE_CONCAT_KERNEL } from "./training-kernels.js";

function registerUpsampleConcatGradient(): void {
  if (tf.getGradient(UPSAMPLE_CONCAT_KERNEL)) return;
  tf.registerGradient({
    kernelName: UPSAMPLE_CONCAT_KERNEL,
    inputsToSave: ["low"],
    gradFunc: (dy, saved) => {
      const [low] = saved;
      // Both parts come from one pass, computed here because the tape runs each closure in its own tidy.
      const [dlow, dskip] = tf.engine().runKernel(UPSAMPLE_CONCAT_GRAD_KERNEL, { dy: dy as tf.Tensor }, { lowChannels: low.shape[low.rank - 1] }) as tf.Tensor[];
      return { low: () => dlow, skip: () => dskip };
    },
  });
}

/**
 * A U-Net decoder join: `low` upsampled 2x by nearest neighbour (tf.image.resizeNearestNeighbor to twice
 * its size), then `skip` appended along channels. One kernel each way where the engine has it (no
 * intermediate upsampled tensor), else that resize and tf.concat.
 */
export function upsampleConcat(low: tf.Tensor4D, skip: tf.Tensor4D): tf.Tensor4D {
  const [batch, height, width] = low.shape;
  if (skip.shape[0] !== batch || skip.shape[1] !== 2 * height || skip.shape[2] !== 2 * width) {
    throw new Error(`upsampleConcat: skip must be [${batch}, ${2 * height}, ${2 * width}, channels] (twice low's size), got [${skip.shape}]`);
  }
  if (low.dtype === "float32" && skip.dtype === "float32" && hasKernel(UPSAMPLE_CONCAT_KERNEL)) {
    registerUpsampleConcatGradient();
    return tf.engine().runKernel(UPSAMPLE_CONCAT_KERNEL, { low, skip }) as tf.Tensor4D;
  }
  return tf.concat([tf.image.resizeNearestNeighbor(low, [2 * height, 2 * width]), skip], 3);
}
