import * as tf from "@tensorflow/tfjs";
import type { NativeAddon } from "../addon.js";
import { allFloat32, currentHeap, heapOffset, type NativeKernel } from "../wasm-heap.js";

/**
 * Source index of every output row (or column) of a nearest-neighbour resize, as tfjs computes it:
 * scale = in/out (or (in-1)/(out-1) with alignCorners), floor (round with alignCorners), clamped.
 */
function sourceIndices(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const corners = alignCorners && outSize > 1;
  const ratio = (corners ? inSize - 1 : inSize) / (corners ? outSize - 1 : outSize);
  return Int32Array.from({ length: outSize }, (_, i) => {
    const frac = halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
    const nearest = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    return halfPixelCenters ? Math.max(0, nearest) : nearest;
  });
}

/** ResizeNearestNeighbor and its gradient (NHWC, float32). */
export function resizeNearestKernels(addon: NativeAddon): NativeKernel[] {
  return [
    {
      kernelName: tf.ResizeNearestNeighbor,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { images } = inputs;
        if (!allFloat32(images) || images.shape.length !== 4) return null;
        const [outHeight, outWidth] = attrs?.size as [number, number];
        const [batch, inHeight, inWidth, channels] = images.shape;
        const alignCorners = Boolean(attrs?.alignCorners);
        const halfPixelCenters = Boolean(attrs?.halfPixelCenters);
        const out = backend.makeOutput([batch, outHeight, outWidth, channels], "float32");
        if (tf.util.sizeFromShape(out.shape) === 0) return out;
        addon.resizeNearest(currentHeap(backend), Int32Array.from([batch, inHeight, inWidth, channels, outHeight, outWidth]),
          sourceIndices(inHeight, outHeight, alignCorners, halfPixelCenters),
          sourceIndices(inWidth, outWidth, alignCorners, halfPixelCenters),
          heapOffset(backend, images), heapOffset(backend, out), false);
        return out;
      },
    },
    {
      kernelName: tf.ResizeNearestNeighborGrad,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { images, dy } = inputs;
        // tfjs' own gradients ignore halfPixelCenters; leave that case to them to stay identical.
        if (!allFloat32(images, dy) || images.shape.length !== 4 || attrs?.halfPixelCenters) return null;
        const [batch, inHeight, inWidth, channels] = images.shape;
        const [, outHeight, outWidth] = dy.shape;
        const alignCorners = Boolean(attrs?.alignCorners);
        const dx = backend.makeOutput(images.shape, "float32");
        if (tf.util.sizeFromShape(images.shape) === 0) return dx;
        addon.resizeNearest(currentHeap(backend), Int32Array.from([batch, inHeight, inWidth, channels, outHeight, outWidth]),
          sourceIndices(inHeight, outHeight, alignCorners, false), sourceIndices(inWidth, outWidth, alignCorners, false),
          heapOffset(backend, dy), heapOffset(backend, dx), true);
        return dx;
      },
    },
  ];
}
