import * as tf from "@tensorflow/tfjs";
import { conv2DBackpropFilterConfig } from "./conv2d-backprop-filter.js";
import { conv2DBackpropInputConfig } from "./conv2d-backprop-input.js";
import { depthwiseConv2dNativeBackpropFilterConfig } from "./depthwise-conv2d-backprop-filter.js";
import { depthwiseConv2dNativeBackpropInputConfig } from "./depthwise-conv2d-backprop-input.js";
import { unsortedSegmentSumConfig } from "./unsorted-segment-sum.js";

/** optocnn's kernels for the wasm backend: ones it lacks for CNN training, and faster replacements. */
export const wasmKernelConfigs: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  unsortedSegmentSumConfig,
];

/**
 * Registers the kernels on the 'wasm' backend, replacing same-named ones; safe to call again.
 * Returns the kernel names. Native kernels registered afterwards replace these in turn.
 */
export function registerWasmKernels(): string[] {
  for (const config of wasmKernelConfigs) {
    const existing = tf.getKernel(config.kernelName, config.backendName);
    if (existing === config) continue;
    if (existing) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
  return wasmKernelConfigs.map((config) => config.kernelName);
}
