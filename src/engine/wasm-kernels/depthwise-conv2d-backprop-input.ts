import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { assertGradientShape, forwardConvInfo, trailingPadding, type ConvBackpropAttrs } from "./conv-geometry.js";
import { composeWasm } from "./wasm-scope.js";

/**
 * DepthwiseConv2dNativeBackpropInput as one stride-1 depthwise conv (XNNPACK) of the zero-spread dy
 * (every output channel c*M+m on its own) with the flipped filter, then a sum over the M multiplier
 * channels of each input channel.
 */
export const depthwiseConv2dNativeBackpropInputConfig: tf.KernelConfig = {
  kernelName: "DepthwiseConv2dNativeBackpropInput",
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) =>
    composeWasm(backend as BackendWasm, (scope) => {
      const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      const { inputShape, ...convAttrs } = attrs as unknown as ConvBackpropAttrs & { inputShape: number[] };
      const info = forwardConvInfo(inputShape, filter.shape, convAttrs, true);
      const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
      assertGradientShape("DepthwiseConv2dNativeBackpropInput", dy.shape, [batchSize, outHeight, outWidth, outChannels]);
      const multiplier = outChannels / inChannels;
      const spread = scope.insertZerosNHWC(dy, info.strideHeight, info.strideWidth);
      const flipped = scope.reshape(scope.reverse(filter, [0, 1]), [info.filterHeight, info.filterWidth, outChannels, 1]);
      const { dilationHeight, dilationWidth } = info;
      const top = (info.filterHeight - 1) * dilationHeight - info.padInfo.top;
      const left = (info.filterWidth - 1) * dilationWidth - info.padInfo.left;
      const rows = trailingPadding(spread.shape[1], top, info.filterHeight, dilationHeight, 1, inHeight);
      const cols = trailingPadding(spread.shape[2], left, info.filterWidth, dilationWidth, 1, inWidth);
      const cropped = scope.padOrCrop(spread, [[0, 0], [Math.min(0, rows[0]), Math.min(0, rows[1])], [Math.min(0, cols[0]), Math.min(0, cols[1])], [0, 0]]);
      const perOutputChannel = scope.run("DepthwiseConv2dNative", { x: cropped, filter: flipped }, {
        strides: [1, 1],
        pad: [[0, 0], [Math.max(0, rows[0]), Math.max(0, rows[1])], [Math.max(0, cols[0]), Math.max(0, cols[1])], [0, 0]],
        dilations: [dilationHeight, dilationWidth],
      }); // [b, h, w, c*M]
      if (multiplier === 1) return perOutputChannel;
      return scope.sum(scope.reshape(perOutputChannel, [batchSize, inHeight, inWidth, inChannels, multiplier]), [4]);
    }),
};
