import * as tf from "@tensorflow/tfjs";
import type { NativeAddon } from "../addon.js";
import { allFloat32, currentHeap, heapOffset, type NativeKernel } from "../wasm-heap.js";

/**
 * Sum over a leading block of axes (a bias gradient sums NHWC over N, H, W) or a trailing block,
 * float32 only, with double partial sums. Other axis sets go to the wasm kernel.
 */
export function sumKernels(addon: NativeAddon): NativeKernel[] {
  return [
    {
      kernelName: tf.Sum,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { x } = inputs;
        if (!allFloat32(x) || tf.util.sizeFromShape(x.shape) === 0) return null;
        const axes = [...tf.util.parseAxisParam(attrs?.axis as number | number[], x.shape)].sort((a, b) => a - b);
        const rank = x.shape.length;
        const leading = axes.every((a, i) => a === i);
        const trailing = axes.every((a, i) => a === rank - axes.length + i);
        if (axes.length === 0 || !(leading || trailing)) return null;
        const split = leading ? axes.length : rank - axes.length;
        const outer = tf.util.sizeFromShape(x.shape.slice(0, split));
        const inner = tf.util.sizeFromShape(x.shape.slice(split));
        const kept = leading ? x.shape.slice(split) : x.shape.slice(0, split);
        const outShape = attrs?.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept;
        const out = backend.makeOutput(outShape, "float32");
        addon.sumAxes(currentHeap(backend), heapOffset(backend, x), outer, inner, heapOffset(backend, out), leading);
        return out;
      },
    },
  ];
}
