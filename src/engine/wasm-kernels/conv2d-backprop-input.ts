import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { assertGradientShape, forwardConvInfo, trailingPadding, type ConvBackpropAttrs } from "./conv-geometry.js";
import { composeWasm } from "./wasm-scope.js";

/**
 * Conv2DBackpropInput (also conv2dTranspose's forward pass) as one stride-1 conv2d (XNNPACK) of the
 * zero-spread dy with the spatially flipped, in/out-swapped filter. Replaces the wasm backend's own
 * kernel, a direct loop about 14x slower than its conv2d (measured 0.9 vs 12 GFLOP/s).
 */
export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropInput",
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) =>
    composeWasm(backend as BackendWasm, (scope) => {
      const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      const { inputShape, ...convAttrs } = attrs as unknown as ConvBackpropAttrs & { inputShape: number[] };
      const info = forwardConvInfo(inputShape, filter.shape, convAttrs, false);
      const channelsLast = info.dataFormat === "channelsLast";
      const { batchSize, outHeight, outWidth, outChannels } = info;
      assertGradientShape(
        "Conv2DBackpropInput",
        dy.shape,
        channelsLast ? [batchSize, outHeight, outWidth, outChannels] : [batchSize, outChannels, outHeight, outWidth],
      );
      const dyNHWC = channelsLast ? dy : scope.transpose(dy, [0, 2, 3, 1]);
      const spread = scope.insertZerosNHWC(dyNHWC, info.strideHeight, info.strideWidth);
      const flipped = scope.reverse(scope.transpose(filter, [0, 1, 3, 2]), [0, 1]); // [fh, fw, co, ci]
      const rows = trailingPadding(spread.shape[1], info.filterHeight - 1 - info.padInfo.top, info.filterHeight, 1, 1, info.inHeight);
      const cols = trailingPadding(spread.shape[2], info.filterWidth - 1 - info.padInfo.left, info.filterWidth, 1, 1, info.inWidth);
      const cropped = scope.padOrCrop(spread, [[0, 0], [Math.min(0, rows[0]), Math.min(0, rows[1])], [Math.min(0, cols[0]), Math.min(0, cols[1])], [0, 0]]);
      const dx = scope.run("Conv2D", { x: cropped, filter: flipped }, {
        strides: [1, 1],
        pad: [[0, 0], [Math.max(0, rows[0]), Math.max(0, rows[1])], [Math.max(0, cols[0]), Math.max(0, cols[1])], [0, 0]],
        dilations: [1, 1],
        dataFormat: "NHWC",
      });
      return channelsLast ? dx : scope.transpose(dx, [0, 3, 1, 2]);
    }),
};
