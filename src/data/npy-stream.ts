import { closeSync, openSync, writeSync } from "node:fs";

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
    const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
    let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
    // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
    header += " ".repeat((64 - ((10 + header.length + 1) % 64)) % 64) + "\n";
    const preamble = Buffer.alloc(10);
    preamble.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    preamble.writeUInt16LE(header.length, 8);
    this.fd = openSync(path, "w");
    writeSync(this.fd, preamble);
    writeSync(this.fd, Buffer.from(header, "latin1"));
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
