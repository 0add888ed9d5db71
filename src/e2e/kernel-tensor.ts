import * as tf from "@tensorflow/tfjs";
import { centreIndex } from "../optics/grid.js";
import type { KernelBankShape } from "../optics/kernels.js";

/**
 * How a sub-image is formed from a metasurface's PSF window in E2E training:
 *   "kernel-crop": the PSF cropped to the k x k kernel window, as the reference code and DKO's realised
 *                  kernels (light outside the crop is lost);
 *   "fit-window":  the whole M x M fit window convolves the image (light outside the kernel is kept, so
 *                  E2E pays for the spread of its PSFs the way the sensor would).
 */
export const IMAGE_FORMATIONS = ["kernel-crop", "fit-window"] as const;
export type ImageFormation = (typeof IMAGE_FORMATIONS)[number];

/** Side of the correlation kernel a formation gives: k, or the odd window 2 floor(M/2) + 1 centred on the optical axis. */
export function formationKernelSize(formation: ImageFormation, windowPixels: number, kernelSize: number): number {
  return formation === "kernel-crop" ? kernelSize : 2 * centreIndex(windowPixels) + 1;
}

/**
 * The tensor (differentiable) form of optics/kernels.ts psfsToKernels: PSF windows [B, M, M] (bank order
 * index = (sign * K + out) * 3 + in) and electronic scales [B] -> correlation kernels [S, S, 3, K]:
 * W = s+ rot180(PSF+) - s- rot180(PSF-). The on-axis pixel floor(M/2) lands on the kernel centre, so with
 * "kernel-crop" it equals psfsToKernels exactly, and "fit-window" is the same kernel with the rest of the
 * window around it (an even window gets one zero row and column so that TensorFlow's 'same' padding
 * centres it like the k x k crop).
 */
export function psfsToKernelsTensor(psfs: tf.Tensor3D, scales: tf.Tensor1D, shape: KernelBankShape, formation: ImageFormation): tf.Tensor4D {
  return tf.tidy(() => {
    const { kernelSize: k, inChannels, outChannels } = shape;
    const [B, M] = psfs.shape;
    if (B !== 2 * outChannels * inChannels || psfs.shape[2] !== M) {
      throw new Error(`psfs: expected [${2 * outChannels * inChannels}, M, M] for ${outChannels} kernels of ${inChannels} channels, got [${psfs.shape.join(", ")}]`);
    }
    if (scales.shape[0] !== B) throw new Error(`scales: expected ${B} values, got ${scales.shape[0]}`);
    if (M < k) throw new Error(`psfs: the ${M}x${M} window is smaller than the ${k}x${k} kernel`);
    const centre = centreIndex(M);
    const S = formationKernelSize(formation, M, k);
    const half = (S - 1) / 2;
    // The S x S square of the window centred on the optical axis (S <= 2 floor(M/2) + 1, so it starts
    // inside the window; an even window lacks at most the last row and column, padded with zeros).
    const start = centre - half;
    const size = Math.min(S, M - start);
    const square = tf.pad(tf.slice(psfs, [0, start, start], [B, size, size]), [[0, 0], [0, S - size], [0, S - size]]) as tf.Tensor3D;
    const flipped = tf.reverse(square, [1, 2]);
    const signs = tf.concat([tf.ones([B / 2]), tf.fill([B / 2], -1)]);
    const weighted = tf.mul(flipped, tf.reshape(tf.mul(scales, signs), [B, 1, 1]));
    // [2, K, 3, S, S] -> sum over sign -> [S, S, 3, K].
    const summed = tf.sum(tf.reshape(weighted, [2, outChannels, inChannels, S, S]), 0);
    return tf.transpose(summed, [2, 3, 1, 0]) as tf.Tensor4D;
  });
}
