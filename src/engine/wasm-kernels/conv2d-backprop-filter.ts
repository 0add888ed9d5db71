import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { assertGradientShape, forwardConvInfo, trailingPadding, type ConvBackpropAttrs } from "./conv-geometry.js";
import { composeWasm } from "./wasm-scope.js";

/**
 * Conv2DBackpropFilter as one forward conv2d (XNNPACK): dW[kh,kw,ci,co] = sum over b,oh,ow of
 * x[b, oh*s+kh-top, ow*s+kw-left, ci] * dy[b,oh,ow,co], i.e. a correlation of x (batch <-> channels
 * swapped) with dy used as a filter dilated by the forward stride.
 */
export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) =>
    composeWasm(backend as BackendWasm, (scope) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { filterShape, ...convAttrs } = attrs as unknown as ConvBackpropAttrs & { filterShape: number[] };
      const info = forwardConvInfo(x.shape, filterShape, convAttrs, false);
      const channelsLast = info.dataFormat === "channelsLast";
      const [batch, outHeight, outWidth, outChannels] = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
      assertGradientShape(
        "Conv2DBackpropFilter",
        dy.shape,
        channelsLast ? [batch, outHeight, outWidth, outChannels] : [batch, outChannels, outHeight, outWidth],
      );
      const xByChannel = scope.transpose(x, channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0]); // [ci, h, w, b]
      const dyAsFilter = scope.transpose(dy, channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1]); // [oh, ow, b, co]
      const rows = trailingPadding(info.inHeight, info.padInfo.top, outHeight, info.strideHeight, 1, info.filterHeight);
      const cols = trailingPadding(info.inWidth, info.padInfo.left, outWidth, info.strideWidth, 1, info.filterWidth);
      const cropped = scope.padOrCrop(xByChannel, [[0, 0], [0, Math.min(0, rows[1])], [0, Math.min(0, cols[1])], [0, 0]]);
      const gradByChannel = scope.run("Conv2D", { x: cropped, filter: dyAsFilter }, {
        strides: [1, 1],
        pad: [[0, 0], [rows[0], Math.max(0, rows[1])], [cols[0], Math.max(0, cols[1])], [0, 0]],
        dilations: [info.strideHeight, info.strideWidth],
        dataFormat: "NHWC",
      }); // [ci, fh, fw, co]
      return scope.transpose(gradByChannel, [1, 2, 0, 3]);
    }),
};
