import type { DataType, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs";

/** The parts of tfjs' wasm backend (BackendWasm) that native kernels use to work in place on its heap. */
export interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  incRef(dataId: object): void;
  /** How many tensors share this data (in-place writes need exactly one). */
  refCount(dataId: object): number;
}

/** Arguments tfjs passes to a kernel function, typed for the wasm backend. */
export interface WasmKernelArgs {
  /** Optional inputs (bias, prelu weights) are absent, not null; Concat gets an array. */
  inputs: { [name: string]: TensorInfo } & ArrayLike<TensorInfo>;
  attrs?: NamedAttrMap;
  backend: WasmHeapBackend;
}

/**
 * A native kernel: returns its output, or null when it does not cover the call (data format, dtype,
 * activation...), in which case the kernel registered before it runs instead.
 */
export type NativeKernelFunc = (args: WasmKernelArgs) => TensorInfo | TensorInfo[] | null;

export interface NativeKernel {
  kernelName: string;
  kernelFunc: NativeKernelFunc;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: WasmHeapBackend, tensor: TensorInfo): number {
  const data = backend.dataIdMap.get(tensor.dataId);
  if (!data) throw new Error("native kernel: tensor is not on the wasm backend");
  return data.memoryOffset;
}

/**
 * The heap view for a call. Read after every output was allocated: an allocation can grow wasm memory,
 * which detaches the previous buffer.
 */
export function currentHeap(backend: WasmHeapBackend): Uint8Array {
  return backend.wasm.HEAPU8;
}

export function allFloat32(...tensors: (TensorInfo | undefined)[]): boolean {
  return tensors.every((t) => t === undefined || t.dtype === "float32");
}
