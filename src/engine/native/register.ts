import * as tf from "@tensorflow/tfjs";
import { provideInPlaceAdam } from "../adam-update.js";
import { nativeInPlaceAdam } from "./adam-in-place.js";
import { loadNativeAddon } from "./addon.js";
import { concatSplitKernels } from "./kernels/concat-split.js";
import { convKernels } from "./kernels/conv2d.js";
import { matmulKernels } from "./kernels/matmul.js";
import { elementwiseKernels } from "./kernels/elementwise.js";
import { identityKernels } from "./kernels/identity.js";
import { maxPoolKernels } from "./kernels/max-pool.js";
import { resizeNearestKernels } from "./kernels/resize-nearest.js";
import { sumKernels } from "./kernels/sum.js";
import { trainingKernels } from "./kernels/training.js";
import { upsampleConcatKernels } from "./kernels/upsample-concat.js";
import type { WasmKernelArgs } from "./wasm-heap.js";

export type NativeRegistration = { ok: true; kernels: string[] } | { ok: false; reason: string };

let registration: NativeRegistration | null = null;

/**
 * Registers the oneDNN kernels on the active wasm backend, replacing same-named kernels. A call the
 * native kernel does not cover (NCHW, prelu, broadcast shapes...) goes to the kernel it replaced.
 * Runs once per process; later calls return the first result.
 */
export function registerNativeKernels(): NativeRegistration {
  if (registration) return registration;
  if (tf.getBackend() !== "wasm") return { ok: false, reason: `the active backend is ${tf.getBackend()}, not wasm` };
  const load = loadNativeAddon();
  if ("reason" in load) {
    registration = { ok: false, reason: load.reason };
    return registration;
  }
  const kernels = [
    ...convKernels(load.addon),
    ...matmulKernels(load.addon),
    ...maxPoolKernels(load.addon),
    ...concatSplitKernels(load.addon),
    ...resizeNearestKernels(load.addon),
    ...sumKernels(load.addon),
    ...elementwiseKernels(load.addon),
    ...identityKernels(),
    ...trainingKernels(load.addon),
    ...upsampleConcatKernels(load.addon),
  ];
  for (const kernel of kernels) {
    const replaced = tf.getKernel(kernel.kernelName, "wasm");
    if (replaced) tf.unregisterKernel(kernel.kernelName, "wasm");
    tf.registerKernel({
      kernelName: kernel.kernelName,
      backendName: "wasm",
      kernelFunc: ((args: WasmKernelArgs) => {
        const out = kernel.kernelFunc(args);
        if (out) return out;
        if (!replaced) throw new Error(`${kernel.kernelName}: this case is not supported by the native kernel and wasm has none`);
        return replaced.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      }) as unknown as tf.KernelFunc,
    });
  }
  provideInPlaceAdam(nativeInPlaceAdam(load.addon));
  registration = { ok: true, kernels: kernels.map((k) => k.kernelName) };
  return registration;
}
