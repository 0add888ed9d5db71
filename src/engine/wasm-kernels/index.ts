import * as tf from "@tensorflow/tfjs";
import { conv2DBackpropFilterConfig } from "./conv2d-backprop-filter.js";
import { conv2DBackpropInputConfig } from "./conv2d-backprop-input.js";
import { depthwiseConv2dNativeBackpropFilterConfig } from "./depthwise-conv2d-backprop-filter.js";
import { depthwiseConv2dNativeBackpropInputConfig } from "./depthwise-conv2d-backprop-input.js";
import { maxPoolGradConfig } from "./max-pool-grad.js";
import { resizeBilinearGradConfig } from "./resize-bilinear-grad.js";
import { resizeNearestNeighborGradConfig } from "./resize-nearest-neighbor-grad.js";
import { unsortedSegmentSumConfig } from "./unsorted-segment-sum.js";

/** Builds a kernel from the wasm backend's own same-named kernel (undefined where it has none). */
type WasmKernelFactory = (builtin: tf.KernelConfig | undefined) => tf.KernelConfig;

/** optocnn's kernels for the wasm backend: ones it lacks for CNN training, plus faster or corrected ones. */
const wasmKernelFactories: ReadonlyArray<[string, WasmKernelFactory]> = [
  ["Conv2DBackpropFilter", () => conv2DBackpropFilterConfig],
  ["Conv2DBackpropInput", () => conv2DBackpropInputConfig],
  ["DepthwiseConv2dNativeBackpropInput", () => depthwiseConv2dNativeBackpropInputConfig],
  ["DepthwiseConv2dNativeBackpropFilter", () => depthwiseConv2dNativeBackpropFilterConfig],
  ["UnsortedSegmentSum", () => unsortedSegmentSumConfig],
  ["ResizeBilinearGrad", resizeBilinearGradConfig],
  ["ResizeNearestNeighborGrad", resizeNearestNeighborGradConfig],
  ["MaxPoolGrad", () => maxPoolGradConfig],
];

const registered = new Map<string, tf.KernelConfig>();

/**
 * Registers the kernels on the 'wasm' backend, replacing the backend's own same-named ones, and
 * returns their names. Call it before the native kernels register (they replace these in turn);
 * calling it again changes nothing.
 */
export function registerWasmKernels(): string[] {
  for (const [name, factory] of wasmKernelFactories) {
    const existing = tf.getKernel(name, "wasm");
    if (existing && existing === registered.get(name)) continue;
    if (existing) tf.unregisterKernel(name, "wasm");
    const config = factory(existing);
    registered.set(name, config);
    tf.registerKernel(config);
  }
  return wasmKernelFactories.map(([name]) => name);
}
