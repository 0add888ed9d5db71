import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { assertGradientShape, forwardConvInfo, trailingPadding, type ConvBackpropAttrs } from "./conv-geometry.js";
import { composeWasm } from "./wasm-scope.js";

/**
 * DepthwiseConv2dNativeBackpropFilter as one depthwise conv (XNNPACK): x becomes a single image whose
 * channels are the B*C (batch, channel) pairs, dy the matching oh x ow filters dilated by the forward
 * stride; the forward dilation becomes the stride. A sum over the batch finishes dW.
 */
export const depthwiseConv2dNativeBackpropFilterConfig: tf.KernelConfig = {
  kernelName: "DepthwiseConv2dNativeBackpropFilter",
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) =>
    composeWasm(backend as BackendWasm, (scope) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { filterShape, ...convAttrs } = attrs as unknown as ConvBackpropAttrs & { filterShape: number[] };
      const info = forwardConvInfo(x.shape, filterShape, convAttrs, true);
      const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
      assertGradientShape("DepthwiseConv2dNativeBackpropFilter", dy.shape, [batchSize, outHeight, outWidth, outChannels]);
      const multiplier = outChannels / inChannels;
      const pairs = batchSize * inChannels;
      const image = scope.reshape(scope.transpose(x, [1, 2, 0, 3]), [1, inHeight, inWidth, pairs]);
      const dyFilters = scope.reshape(
        scope.transpose(scope.reshape(dy, [batchSize, outHeight, outWidth, inChannels, multiplier]), [1, 2, 0, 3, 4]),
        [outHeight, outWidth, pairs, multiplier],
      );
      const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
      const rows = trailingPadding(inHeight, info.padInfo.top, outHeight, strideHeight, dilationHeight, filterHeight);
      const cols = trailingPadding(inWidth, info.padInfo.left, outWidth, strideWidth, dilationWidth, filterWidth);
      const cropped = scope.padOrCrop(image, [[0, 0], [0, Math.min(0, rows[1])], [0, Math.min(0, cols[1])], [0, 0]]);
      const perPair = scope.run("DepthwiseConv2dNative", { x: cropped, filter: dyFilters }, {
        strides: [dilationHeight, dilationWidth],
        pad: [[0, 0], [rows[0], Math.max(0, rows[1])], [cols[0], Math.max(0, cols[1])], [0, 0]],
        dilations: [strideHeight, strideWidth],
      }); // [1, fh, fw, b*c*M]
      const byBatch = scope.reshape(perPair, [filterHeight, filterWidth, batchSize, inChannels, multiplier]);
      return batchSize === 1
        ? scope.reshape(byBatch, filterShape)
        : scope.sum(byBatch, [2]);
    }),
};
