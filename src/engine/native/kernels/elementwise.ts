import * as tf from "@tensorflow/tfjs";
import type { NativeAddon } from "../addon.js";
import { allFloat32, currentHeap, heapOffset, type NativeKernel, type WasmKernelArgs } from "../wasm-heap.js";

/**
 * Below this many elements the wasm kernel is faster than a native call plus a thread hand-off
 * (Adam's per-weight updates stay on wasm; activations go native).
 */
const MIN_NATIVE_ELEMENTS = 1 << 15;

const OP = { add: 0, multiply: 1, relu: 2, step: 3 } as const;

/** True when `small` repeats along the leading axes of `large` (same shape or trailing broadcast). */
function tiles(large: number[], small: number[]): boolean {
  const trimmed = small.slice(small.findIndex((d) => d !== 1) === -1 ? small.length : small.findIndex((d) => d !== 1));
  if (trimmed.length > large.length) return false;
  return trimmed.every((d, i) => d === large[large.length - trimmed.length + i]);
}

/** Add and Multiply (same shape or a trailing broadcast such as a bias), Relu and Step, float32. */
export function elementwiseKernels(addon: NativeAddon): NativeKernel[] {
  const binary = (op: number) => ({ inputs, backend }: WasmKernelArgs) => {
    let { a, b } = inputs;
    if (!allFloat32(a, b)) return null;
    if (tf.util.sizeFromShape(a.shape) < tf.util.sizeFromShape(b.shape)) [a, b] = [b, a];
    const length = tf.util.sizeFromShape(a.shape);
    const bLength = tf.util.sizeFromShape(b.shape);
    if (length < MIN_NATIVE_ELEMENTS || bLength === 0 || !tiles(a.shape, b.shape)) return null;
    const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (tf.util.sizeFromShape(outShape) !== length) return null;
    const out = backend.makeOutput(outShape, "float32");
    addon.elementwise(currentHeap(backend), op, heapOffset(backend, a), heapOffset(backend, b), length, bLength, 0,
      heapOffset(backend, out));
    return out;
  };
  const unary = (op: number) => ({ inputs, attrs, backend }: WasmKernelArgs) => {
    const { x } = inputs;
    const length = tf.util.sizeFromShape(x.shape);
    if (!allFloat32(x) || length < MIN_NATIVE_ELEMENTS) return null;
    const out = backend.makeOutput(x.shape, "float32");
    addon.elementwise(currentHeap(backend), op, heapOffset(backend, x), -1, length, 0, Number(attrs?.alpha ?? 0),
      heapOffset(backend, out));
    return out;
  };
  return [
    { kernelName: tf.Add, kernelFunc: binary(OP.add) },
    { kernelName: tf.Multiply, kernelFunc: binary(OP.multiply) },
    { kernelName: tf.Relu, kernelFunc: unary(OP.relu) },
    { kernelName: tf.Step, kernelFunc: unary(OP.step) },
  ];
}
