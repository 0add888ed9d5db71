import * as tf from "@tensorflow/tfjs";
import type { NativeAddon } from "../addon.js";
import { allFloat32, currentHeap, heapOffset, type NativeKernel } from "../wasm-heap.js";

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/** PoolShape fields of src/engine/native/src/pool.h. */
function poolShape(xShape: number[], attrs: PoolAttrs): { info: tf.backend_util.Conv2DInfo; shape: Int32Array } {
  const info = tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const shape = Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
  ]);
  return { info, shape };
}

/** MaxPool and MaxPoolGrad (NHWC), threaded over the batch. */
export function maxPoolKernels(addon: NativeAddon): NativeKernel[] {
  return [
    {
      kernelName: tf.MaxPool,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { x } = inputs;
        if (!allFloat32(x)) return null;
        const { info, shape } = poolShape(x.shape, attrs as unknown as PoolAttrs);
        const out = backend.makeOutput(info.outShape, "float32");
        addon.maxPool(currentHeap(backend), shape, heapOffset(backend, x), heapOffset(backend, out));
        return out;
      },
    },
    {
      kernelName: tf.MaxPoolGrad,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { dy, input } = inputs;
        if (!allFloat32(dy, input)) return null;
        const { shape } = poolShape(input.shape, attrs as unknown as PoolAttrs);
        const dx = backend.makeOutput(input.shape, "float32");
        addon.maxPoolGrad(currentHeap(backend), shape, heapOffset(backend, input), heapOffset(backend, dy),
          heapOffset(backend, dx));
        return dx;
      },
    },
  ];
}
