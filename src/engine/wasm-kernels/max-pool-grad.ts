import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: "same" | "valid" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/**
 * MaxPoolGrad on the wasm heap: each dy value goes to the first maximum of its window (the cpu
 * backend's rule). Replaces the wasm backend's own kernel, which in tfjs 4.22 drops the gradient of
 * every channel but the first.
 */
export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: "MaxPoolGrad",
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode,
    );
    const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
    const { effectiveFilterHeight: filterHeight, effectiveFilterWidth: filterWidth } = info;
    const output = wasm.makeOutput(input.shape, "float32");
    // Views are taken after allocating: heap growth detaches older views.
    const dx = wasm.typedArrayFromHeap(output) as Float32Array;
    const x = wasm.typedArrayFromHeap(input) as Float32Array;
    const gradient = wasm.typedArrayFromHeap(dy) as Float32Array;
    dx.fill(0);
    const rowStride = inWidth * channels;
    let index = 0;
    for (let b = 0; b < batchSize; b++) {
      const image = b * inHeight * rowStride;
      for (let oh = 0; oh < outHeight; oh++) {
        const rowStart = oh * strideHeight - info.padInfo.top;
        const rowFrom = Math.max(0, rowStart);
        const rowTo = Math.min(inHeight, rowStart + filterHeight);
        for (let ow = 0; ow < outWidth; ow++) {
          const colStart = ow * strideWidth - info.padInfo.left;
          const colFrom = Math.max(0, colStart);
          const colTo = Math.min(inWidth, colStart + filterWidth);
          for (let c = 0; c < channels; c++) {
            let best = -Infinity;
            let bestAt = -1;
            for (let r = rowFrom; r < rowTo; r++) {
              for (let col = colFrom; col < colTo; col++) {
                const at = image + r * rowStride + col * channels + c;
                if (x[at] > best) {
                  best = x[at];
                  bestAt = at;
                }
              }
            }
            const g = gradient[index++];
            if (bestAt >= 0) dx[bestAt] += g;
          }
        }
      }
    }
    return output;
  },
};
