import * as tf from "@tensorflow/tfjs";
import type { AdamStep } from "../../adam-update.js";
import { ADAM_UPDATE_KERNEL, ACTIVATION_BIAS_GRAD_KERNEL } from "../../training-kernels.js";
import type { NativeAddon } from "../addon.js";
import { allFloat32, currentHeap, heapOffset, type NativeKernel } from "../wasm-heap.js";

/** optocnn's fused training kernels (activation and bias gradient, Adam(W) update) on the wasm heap. */
export function trainingKernels(addon: NativeAddon): NativeKernel[] {
  return [
    {
      kernelName: ACTIVATION_BIAS_GRAD_KERNEL,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { dy, y } = inputs;
        if (!allFloat32(dy, y)) return null;
        const channels = dy.shape[dy.shape.length - 1];
        const outer = tf.util.sizeFromShape(dy.shape) / channels;
        const dz = backend.makeOutput(dy.shape, "float32");
        const dbias = backend.makeOutput([channels], "float32");
        addon.activationBiasGrad(currentHeap(backend), Number(attrs?.activation), heapOffset(backend, dy), heapOffset(backend, y), outer, channels,
          heapOffset(backend, dz), heapOffset(backend, dbias));
        return [dz, dbias];
      },
    },
    {
      kernelName: ADAM_UPDATE_KERNEL,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { w, m, v, g } = inputs;
        if (!allFloat32(w, m, v, g)) return null;
        const step = attrs as unknown as AdamStep;
        const length = tf.util.sizeFromShape(w.shape);
        const outputs = [w, m, v].map((t) => backend.makeOutput(t.shape, "float32"));
        if (length > 0) {
          const [wOut, mOut, vOut] = outputs.map((t) => heapOffset(backend, t));
          addon.adamUpdate(currentHeap(backend), length, heapOffset(backend, w), heapOffset(backend, m), heapOffset(backend, v),
            heapOffset(backend, g), wOut, mOut, vOut, Float64Array.of(step.beta1, step.beta2, step.epsilon, step.stepSize, step.decay));
        }
        return outputs;
      },
    },
  ];
}
