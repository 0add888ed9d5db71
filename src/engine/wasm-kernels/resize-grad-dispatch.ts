import type * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/**
 * A resize-gradient kernel that keeps the wasm backend's own C++ kernel (`builtin`) where it is right
 * (no halfPixelCenters) and uses our scatter on the wasm heap where it is wrong (halfPixelCenters).
 */
export function halfPixelAwareResizeGrad(
  kernelName: "ResizeBilinearGrad" | "ResizeNearestNeighborGrad",
  builtin: tf.KernelConfig | undefined,
  scatter: tf.KernelFunc,
): tf.KernelConfig {
  return {
    kernelName,
    backendName: "wasm",
    kernelFunc: (args) => {
      const halfPixelCenters = (args.attrs as { halfPixelCenters?: boolean }).halfPixelCenters === true;
      return builtin && !halfPixelCenters ? builtin.kernelFunc(args) : scatter(args);
    },
  };
}

/** What a scatter-style resize gradient needs: the zeroed output dx, the incoming dy and the geometry. */
export interface ResizeGradBuffers {
  output: tf.TensorInfo;
  dx: Float32Array;
  gradient: Float32Array;
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

export function resizeGradBuffers({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): ResizeGradBuffers {
  const wasm = backend as BackendWasm;
  const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
  const { alignCorners, halfPixelCenters } = attrs as { alignCorners: boolean; halfPixelCenters?: boolean };
  const [batch, inHeight, inWidth, channels] = images.shape;
  const [, outHeight, outWidth] = dy.shape;
  const output = wasm.makeOutput(images.shape, "float32");
  // Views are taken after allocating: heap growth detaches older views.
  const dx = wasm.typedArrayFromHeap(output) as Float32Array;
  const gradient = wasm.typedArrayFromHeap(dy) as Float32Array;
  dx.fill(0);
  return { output, dx, gradient, batch, inHeight, inWidth, channels, outHeight, outWidth, alignCorners, halfPixelCenters: halfPixelCenters === true };
}
