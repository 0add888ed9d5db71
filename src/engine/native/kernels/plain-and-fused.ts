import type { TensorInfo } from "@tensorflow/tfjs";
import type { NativeKernel, WasmKernelArgs } from "../wasm-heap.js";

/** Runs a plain kernel (activation "linear", no bias) or its fused variant; null when it is not covered. */
export type FusableKernel = (args: WasmKernelArgs, activation: string, bias?: TensorInfo) => TensorInfo | null;

/**
 * A kernel and its fused variant (Conv2D and FusedConv2D, BatchMatMul and _FusedMatMul) served by one
 * function. A fused call with prelu weights is left to the kernel registered before.
 */
export function plainAndFused(plainName: string, fusedName: string, run: FusableKernel): NativeKernel[] {
  return [
    { kernelName: plainName, kernelFunc: (args) => run(args, "linear") },
    {
      kernelName: fusedName,
      kernelFunc: (args) => {
        if (args.inputs.preluActivationWeights) return null;
        return run(args, String(args.attrs?.activation ?? "linear"), args.inputs.bias);
      },
    },
  ];
}
