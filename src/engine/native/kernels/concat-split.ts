import * as tf from "@tensorflow/tfjs";
import type { NativeAddon } from "../addon.js";
import { allFloat32, currentHeap, heapOffset, type NativeKernel } from "../wasm-heap.js";

/** Elements before the axis (outer) and from the axis on per unit of axis length (inner). */
function outerInner(shape: number[], axis: number): { outer: number; inner: number } {
  return { outer: tf.util.sizeFromShape(shape.slice(0, axis)), inner: tf.util.sizeFromShape(shape.slice(axis + 1)) };
}

/** Concat and SplitV (the gradient of concat) as strided block copies along any axis, float32 only. */
export function concatSplitKernels(addon: NativeAddon): NativeKernel[] {
  return [
    {
      kernelName: tf.Concat,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const tensors = Array.from(inputs).filter((t) => tf.util.sizeFromShape(t.shape) > 0);
        if (tensors.length < 2 || !allFloat32(...tensors)) return null;
        const axis = tf.util.parseAxisParam(attrs?.axis as number, tensors[0].shape)[0];
        const outShape = tf.backend_util.computeOutShape(tensors.map((t) => t.shape), axis);
        const out = backend.makeOutput(outShape, "float32");
        const { outer, inner } = outerInner(outShape, axis);
        const offsets = Float64Array.from(tensors, (t) => heapOffset(backend, t));
        const widths = Float64Array.from(tensors, (t) => t.shape[axis] * inner);
        addon.joinAlongAxis(currentHeap(backend), outer, offsets, widths, heapOffset(backend, out), false);
        return out;
      },
    },
    {
      kernelName: tf.SplitV,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { x } = inputs;
        if (!allFloat32(x)) return null;
        const axis = tf.util.parseAxisParam(attrs?.axis as number, x.shape)[0];
        const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs?.numOrSizeSplits as number | number[], axis);
        const outs = sizes.map((size) => {
          const shape = [...x.shape];
          shape[axis] = size;
          return backend.makeOutput(shape, "float32");
        });
        const { outer, inner } = outerInner(x.shape, axis);
        if (outer * inner > 0) {
          const offsets = Float64Array.from(outs, (t) => heapOffset(backend, t));
          const widths = Float64Array.from(sizes, (size) => size * inner);
          addon.joinAlongAxis(currentHeap(backend), outer, offsets, widths, heapOffset(backend, x), true);
        }
        return outs;
      },
    },
  ];
}
