import * as tf from "@tensorflow/tfjs";
import type { InPlaceAdam } from "../adam-update.js";
import type { NativeAddon } from "./addon.js";
import { currentHeap, heapOffset, type WasmHeapBackend } from "./wasm-heap.js";

/**
 * The native engine's in-place Adam(W): one addon call for all variables, writing weights and moments
 * where they lie on the wasm heap. tfjs tensors are immutable by contract, so it only writes data that
 * exactly one tensor refers to (the backend's reference count is 1) and declines otherwise.
 */
export function nativeInPlaceAdam(addon: NativeAddon): InPlaceAdam {
  return (slots, step) => {
    if (tf.getBackend() !== "wasm" || slots.length === 0) return false;
    const backend = tf.backend() as unknown as WasmHeapBackend;
    const written = new Set<object>();
    for (const { w, m, v, g } of slots) {
      if (![w, m, v, g].every((t) => t.dtype === "float32" && !t.isDisposed)) return false;
      for (const t of [w, m, v]) {
        if (backend.refCount(t.dataId) !== 1 || written.has(t.dataId)) return false;
        written.add(t.dataId);
      }
    }
    if (slots.some(({ g }) => written.has(g.dataId))) return false;
    const offsets = new Float64Array(4 * slots.length);
    slots.forEach(({ w, m, v, g }, i) => offsets.set([w, m, v, g].map((t) => heapOffset(backend, t)), 4 * i));
    addon.adamUpdateInPlace(currentHeap(backend), Float64Array.from(slots, ({ w }) => w.size), offsets,
      Float64Array.of(step.beta1, step.beta2, step.epsilon, step.stepSize, step.decay));
    return true;
  };
}
