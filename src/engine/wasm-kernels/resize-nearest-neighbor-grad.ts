import * as tf from "@tensorflow/tfjs";
import { halfPixelAwareResizeGrad, resizeGradBuffers } from "./resize-grad-dispatch.js";

/** Source index of each output index, exactly as the forward ResizeNearestNeighbor kernels pick it. */
function nearestSources(outSize: number, inSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const aligned = alignCorners && outSize > 1;
  const ratio = (aligned ? inSize - 1 : inSize) / (aligned ? outSize - 1 : outSize);
  const sources = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const source = halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
    const nearest = Math.min(inSize - 1, alignCorners ? Math.round(source) : Math.floor(source));
    sources[i] = halfPixelCenters ? Math.max(0, nearest) : nearest;
  }
  return sources;
}

/**
 * ResizeNearestNeighborGrad that is right with halfPixelCenters at non-integer scales, where the wasm
 * kernel of tfjs 4.22 disagrees with its own forward pass (the cpu kernel is wrong in every mode).
 * Otherwise the wasm backend's own C++ kernel (`builtin`) is correct and used.
 */
export function resizeNearestNeighborGradConfig(builtin: tf.KernelConfig | undefined): tf.KernelConfig {
  return halfPixelAwareResizeGrad("ResizeNearestNeighborGrad", builtin, scatterResizeNearestNeighborGrad as tf.KernelFunc);
}

function scatterResizeNearestNeighborGrad(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { output, dx, gradient, batch, inHeight, inWidth, channels, outHeight, outWidth, alignCorners, halfPixelCenters } = resizeGradBuffers(args);
  const rows = nearestSources(outHeight, inHeight, alignCorners, halfPixelCenters);
  const cols = nearestSources(outWidth, inWidth, alignCorners, halfPixelCenters);
  const rowStride = inWidth * channels;
  let index = 0;
  for (let b = 0; b < batch; b++) {
    const image = b * inHeight * rowStride;
    for (let r = 0; r < outHeight; r++) {
      const row = image + rows[r] * rowStride;
      for (let c = 0; c < outWidth; c++) {
        const pixel = row + cols[c] * channels;
        for (let d = 0; d < channels; d++) dx[pixel + d] += gradient[index++];
      }
    }
  }
  return output;
}
