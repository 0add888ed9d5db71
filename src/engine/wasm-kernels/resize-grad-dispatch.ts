import type * as tf from "@tensorflow/tfjs";

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
