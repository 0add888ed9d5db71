import { readFileSync } from "node:fs";
import { writeFileAtomic } from "./atomic.js";

/** Typed arrays that `.npy` files map to (little-endian numpy dtypes). */
export type NpyData = Float32Array | Float64Array | Int32Array | Uint8Array | Uint16Array | Int16Array | Int8Array | Uint32Array;

export interface NpyArray<T extends NpyData = NpyData> {
  data: T;
  shape: number[];
}

const DTYPES: Record<string, { ctor: new (buffer: ArrayBuffer) => NpyData; bytes: number }> = {
  "<f4": { ctor: Float32Array, bytes: 4 },
  "<f8": { ctor: Float64Array, bytes: 8 },
  "<i4": { ctor: Int32Array, bytes: 4 },
  "<u4": { ctor: Uint32Array, bytes: 4 },
  "<i2": { ctor: Int16Array, bytes: 2 },
  "<u2": { ctor: Uint16Array, bytes: 2 },
  "|u1": { ctor: Uint8Array, bytes: 1 },
  "|i1": { ctor: Int8Array, bytes: 1 },
};

function dtypeOf(data: NpyData): string {
  if (data instanceof Float32Array) return "<f4";
  if (data instanceof Float64Array) return "<f8";
  if (data instanceof Int32Array) return "<i4";
  if (data instanceof Uint32Array) return "<u4";
  if (data instanceof Int16Array) return "<i2";
  if (data instanceof Uint16Array) return "<u2";
  if (data instanceof Uint8Array) return "|u1";
  return "|i1";
}

/** The `.npy` version 1.0 preamble and header for an array of `descr` (e.g. "<f4") and `shape`, C order. */
export function npyHeader(descr: string, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const preamble = 10;
  // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  header += " ".repeat((64 - ((preamble + header.length + 1) % 64)) % 64) + "\n";
  const out = new Uint8Array(preamble + header.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  return out;
}

/** The `.npy` version 1.0 header and the data's bytes (C order), which follow it in the file. */
function npyParts(array: NpyArray): [Uint8Array, Uint8Array] {
  const { data, shape } = array;
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new Error(`npy: shape [${shape.join(", ")}] holds ${count} values but the data has ${data.length}`);
  }
  return [npyHeader(dtypeOf(data), shape), new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
}

/** Encodes an array as `.npy` version 1.0 bytes (C order). */
export function encodeNpy(array: NpyArray): Uint8Array {
  const [header, data] = npyParts(array);
  const out = new Uint8Array(header.length + data.length);
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}

/**
 * Values of a Fortran-ordered (column-major) array in C (row-major) order, as numpy presents them: the
 * element at index (i0, ..., ik) is read from offset i0 + d0 * (i1 + d1 * (i2 + ...)).
 */
export function fortranToC<T extends NpyData>(data: T, shape: readonly number[]): T {
  const out = new (data.constructor as new (length: number) => T)(data.length);
  const rank = shape.length;
  const fortranStride = new Array<number>(rank);
  for (let k = 0, stride = 1; k < rank; k++) {
    fortranStride[k] = stride;
    stride *= shape[k];
  }
  const index = new Array<number>(rank).fill(0);
  for (let c = 0; c < data.length; c++) {
    let offset = 0;
    for (let k = 0; k < rank; k++) offset += index[k] * fortranStride[k];
    out[c] = data[offset];
    // Advance the row-major index: last axis fastest.
    for (let k = rank - 1; k >= 0; k--) {
      if (++index[k] < shape[k]) break;
      index[k] = 0;
    }
  }
  return out;
}

/** Decodes `.npy` bytes (versions 1-3, little-endian, C or Fortran order; returned in C order). `source` names the file in errors. */
export function decodeNpy(bytes: Uint8Array, source = "npy data"): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m)) {
    throw new Error(`${source}: not a .npy file (missing the \\x93NUMPY magic); save arrays with numpy.save`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`${source}: unreadable .npy header ${header.trim()}`);
  const dtype = DTYPES[descr];
  if (!dtype) {
    throw new Error(`${source}: dtype ${descr} is not supported; convert with .astype(numpy.float32) (supported: ${Object.keys(DTYPES).join(", ")})`);
  }
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLength;
  const byteLength = count * dtype.bytes;
  if (bytes.length - dataStart < byteLength) {
    throw new Error(`${source}: truncated: shape [${shape.join(", ")}] needs ${byteLength} data bytes, file has ${bytes.length - dataStart}`);
  }
  // A fresh, aligned copy (Buffer.slice would share the file buffer, at an arbitrary offset).
  const copy = new Uint8Array(bytes.subarray(dataStart, dataStart + byteLength));
  const data = new dtype.ctor(copy.buffer);
  return { data: fortran === "True" && shape.length > 1 ? fortranToC(data, shape) : data, shape };
}

export function readNpy(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`${path}: cannot read .npy file (${(error as Error).message})`);
  }
  return decodeNpy(bytes, path);
}

/** Whether `path` is a readable float32 .npy (what optocnn writes for PSFs and kernels). */
export function isFloat32Npy(path: string): boolean {
  try {
    return readNpy(path).data instanceof Float32Array;
  } catch {
    return false;
  }
}

/** Writes atomically, so an interrupted run never leaves a half-written array. */
export function writeNpy(path: string, array: NpyArray): void {
  writeFileAtomic(path, npyParts(array));
}
