import { closeSync, openSync, writeSync } from "node:fs";
import { npyHeader } from "../io/npy.js";

/**
 * Writes a `.npy` file (version 1.0, C order) sample by sample, so a data set larger than memory can be
 * converted. The shape is known up front; close() checks that exactly that many values arrived.
 * Atomicity comes from the caller writing into a temporary directory (see dataset-writer.ts).
 */
export class NpyStreamWriter {
  private readonly fd: number;
  private written = 0;
  private readonly total: number;

  constructor(readonly path: string, readonly dtype: "|u1" | "<f4", readonly shape: number[]) {
    this.total = shape.reduce((a, b) => a * b, 1);
    this.fd = openSync(path, "w");
    writeSync(this.fd, npyHeader(dtype, shape));
  }

  /** Appends values (a whole sample, typically); their type must match the dtype. */
  append(values: Uint8Array | Float32Array): void {
    const expected = this.dtype === "|u1" ? values instanceof Uint8Array : values instanceof Float32Array;
    if (!expected) throw new Error(`${this.path}: appended ${values.constructor.name} to a ${this.dtype} array`);
    if (this.written + values.length > this.total) {
      throw new Error(`${this.path}: more values than the shape [${this.shape.join(", ")}] holds`);
    }
    writeSync(this.fd, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    this.written += values.length;
  }

  close(): void {
    closeSync(this.fd);
    if (this.written !== this.total) {
      throw new Error(`${this.path}: wrote ${this.written} of ${this.total} values of shape [${this.shape.join(", ")}]`);
    }
  }

  /** Closes the file without the completeness check (on the error path). */
  abandon(): void {
    closeSync(this.fd);
  }
}
