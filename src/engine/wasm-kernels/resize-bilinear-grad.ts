import * as tf from "@tensorflow/tfjs";
import { halfPixelAwareResizeGrad, resizeGradBuffers } from "./resize-grad-dispatch.js";

interface Taps {
  low: Int32Array;
  high: Int32Array;
  /** Weight of `high`; `low` gets 1 - weight (the pair may coincide at borders). */
  weight: Float32Array;
}

/** Source taps of each output index, exactly as the forward ResizeBilinear kernels compute them. */
function interpolationTaps(outSize: number, inSize: number, alignCorners: boolean, halfPixelCenters: boolean): Taps {
  const aligned = alignCorners && outSize > 1;
  const ratio = (aligned ? inSize - 1 : inSize) / (aligned ? outSize - 1 : outSize);
  const taps: Taps = { low: new Int32Array(outSize), high: new Int32Array(outSize), weight: new Float32Array(outSize) };
  for (let i = 0; i < outSize; i++) {
    const source = halfPixelCenters ? ratio * (i + 0.5) - 0.5 : ratio * i;
    const low = Math.max(0, Math.floor(source));
    taps.low[i] = low;
    taps.high[i] = Math.min(inSize - 1, Math.ceil(source));
    taps.weight[i] = source - low;
  }
  return taps;
}

/**
 * ResizeBilinearGrad that honours halfPixelCenters: the wasm and cpu kernels of tfjs 4.22 ignore it
 * (and cpu also swaps height and width of non-square images). Without halfPixelCenters the wasm
 * backend's own kernel (`builtin`, C++, ~2x faster) is correct and used; with it, dy is scattered
 * into the four source pixels on the wasm heap, O(dy size).
 */
export function resizeBilinearGradConfig(builtin: tf.KernelConfig | undefined): tf.KernelConfig {
  return halfPixelAwareResizeGrad("ResizeBilinearGrad", builtin, scatterResizeBilinearGrad as tf.KernelFunc);
}

function scatterResizeBilinearGrad(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { output, dx, gradient, batch, inHeight, inWidth, channels, outHeight, outWidth, alignCorners, halfPixelCenters } = resizeGradBuffers(args);
  const rows = interpolationTaps(outHeight, inHeight, alignCorners, halfPixelCenters);
  const cols = interpolationTaps(outWidth, inWidth, alignCorners, halfPixelCenters);
  const rowStride = inWidth * channels;
  let index = 0;
  for (let b = 0; b < batch; b++) {
    const image = b * inHeight * rowStride;
    for (let r = 0; r < outHeight; r++) {
      const bottomWeight = rows.weight[r];
      const topWeight = 1 - bottomWeight;
      const top = image + rows.low[r] * rowStride;
      const bottom = image + rows.high[r] * rowStride;
      for (let c = 0; c < outWidth; c++) {
        const rightWeight = cols.weight[c];
        const leftWeight = 1 - rightWeight;
        const left = cols.low[c] * channels;
        const right = cols.high[c] * channels;
        for (let d = 0; d < channels; d++) {
          const g = gradient[index++];
          const topG = g * topWeight;
          const bottomG = g * bottomWeight;
          dx[top + left + d] += topG * leftWeight;
          dx[top + right + d] += topG * rightWeight;
          dx[bottom + left + d] += bottomG * leftWeight;
          dx[bottom + right + d] += bottomG * rightWeight;
        }
      }
    }
  }
  return output;
}
