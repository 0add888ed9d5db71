import * as tf from "@tensorflow/tfjs";
import type { NativeKernel } from "../wasm-heap.js";

/**
 * Identity (also what a same-dtype cast runs) shares the input's memory by reference count, as the
 * cpu backend and wasm's own Reshape do, instead of copying: relu's gradient casts every activation.
 */
export function identityKernels(): NativeKernel[] {
  return [
    {
      kernelName: tf.Identity,
      kernelFunc: ({ inputs, backend }) => {
        const { x } = inputs;
        if (x.dtype === "string") return null;
        backend.incRef(x.dataId);
        return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
      },
    },
  ];
}
