import { readNpy, writeNpy } from "../io/npy.js";

/** .npy in and out for phase maps, amplitude maps, PSFs and kernels, with shape and value checks. */

export interface MapStack {
  /** Float32 values [batch, size, size]. */
  data: Float32Array;
  batch: number;
  size: number;
}

/** Reads a square map [N, N] or a stack [B, N, N] (float32 or float64), requiring finite values. */
export function readMapStack(path: string, what: string): MapStack {
  const array = readNpy(path);
  const shape = array.shape;
  const square = (shape.length === 2 || shape.length === 3) && shape[shape.length - 1] === shape[shape.length - 2];
  if (!square) {
    throw new Error(`${path}: ${what} must have shape [N, N] or [B, N, N] (square maps), got [${shape.join(", ")}]`);
  }
  if (!(array.data instanceof Float32Array || array.data instanceof Float64Array)) {
    throw new Error(`${path}: ${what} must be float32 or float64; convert with .astype(numpy.float32)`);
  }
  const data = Float32Array.from(array.data);
  const bad = data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const size = shape[shape.length - 1];
    const cell = bad % (size * size);
    throw new Error(`${path}: ${what} value at flat index ${bad} (map ${Math.floor(bad / (size * size))}, row ${Math.floor(cell / size)}, column ${cell % size}) is ${data[bad]}; all values must be finite`);
  }
  return { data, batch: shape.length === 3 ? shape[0] : 1, size: shape[shape.length - 1] };
}

/** Writes a stack as [size, size] when batch is 1, else [batch, size, size] (float32). */
export function writeMapStack(path: string, data: Float32Array, batch: number, size: number): void {
  writeNpy(path, { data, shape: batch === 1 ? [size, size] : [batch, size, size] });
}
