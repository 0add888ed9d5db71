import * as tf from "@tensorflow/tfjs";
import type { NativeAddon } from "../addon.js";
import { allFloat32, currentHeap, heapOffset, type NativeKernel, type WasmKernelArgs } from "../wasm-heap.js";
import { plainAndFused } from "./plain-and-fused.js";

/**
 * BatchMatMul and _FusedMatMul (bias over columns, relu) on oneDNN. Batch dimensions are flattened;
 * covered when both sides have the same batch shape or one side has a single matrix.
 */
export function matmulKernels(addon: NativeAddon): NativeKernel[] {
  const product = ({ inputs, attrs, backend }: WasmKernelArgs, activation: string, bias?: tf.TensorInfo) => {
    const { a, b } = inputs;
    const transposeA = Boolean(attrs?.transposeA);
    const transposeB = Boolean(attrs?.transposeB);
    if (!allFloat32(a, b, bias) || (activation !== "linear" && activation !== "relu")) return null;
    if (a.shape.length < 2 || b.shape.length < 2) return null;
    const m = transposeA ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
    const k = transposeA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
    const n = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    const kB = transposeB ? b.shape[b.shape.length - 1] : b.shape[b.shape.length - 2];
    if (k !== kB) return null;
    const batchShapeA = a.shape.slice(0, -2);
    const batchShapeB = b.shape.slice(0, -2);
    const batchA = tf.util.sizeFromShape(batchShapeA);
    const batchB = tf.util.sizeFromShape(batchShapeB);
    if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
    if (bias && (bias.shape.length !== 1 || bias.shape[0] !== n)) return null;
    const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(batchShapeA, batchShapeB);
    if (tf.util.sizeFromShape(outBatch) !== Math.max(batchA, batchB)) return null;
    const out = backend.makeOutput([...outBatch, m, n], "float32");
    if (m * n * Math.max(batchA, batchB) === 0) return out;
    const shape = Int32Array.from([batchA, batchB, m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0]);
    addon.matmul(currentHeap(backend), shape, heapOffset(backend, a), heapOffset(backend, b),
      bias ? heapOffset(backend, bias) : -1, heapOffset(backend, out), activation === "relu");
    return out;
  };
  return plainAndFused(tf.BatchMatMul, tf._FusedMatMul, product);
}
