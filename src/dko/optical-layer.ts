import * as tf from "@tensorflow/tfjs";
import { convFirstLayer, type FirstLayer } from "../models/first-layer.js";
import type { KernelBankShape } from "../optics/kernels.js";

/**
 * The optical first layer: the signed kernels the optics implements (psfsToKernels of the realised PSFs),
 * W = s+ rot180(crop(PSF+)) - s- rot180(crop(PSF-)) per (output, input channel) (optics/kernels.ts),
 * applied as a fixed convolution. Light outside the kernel crop is lost to the kernel, as on the sensor.
 * The caller disposes `kernel`.
 */
export function opticalFirstLayer(
  realisedKernels: Float32Array,
  shape: KernelBankShape,
  stride: number,
  description: string,
): { layer: FirstLayer; kernel: tf.Tensor4D } {
  const { kernelSize: k, inChannels, outChannels } = shape;
  const kernel = tf.tensor4d(realisedKernels, [k, k, inChannels, outChannels]);
  return { layer: convFirstLayer(kernel, stride, { trainable: false, description }), kernel };
}

