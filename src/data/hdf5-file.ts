import { closeSync, openSync, readSync, statSync } from "node:fs";

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, read);
}

/**
 * Checks that `path` is a complete HDF5 file before handing it to h5wasm, which reports a missing,
 * foreign or truncated file only as diagnostics on stderr and an invalid handle. Reads only the
 * superblock (the file may be gigabytes): finds the signature (at 0 or after a user block of 512, 1024,
 * ... bytes, as MATLAB v7.3 .mat files have) and compares the end-of-file address it records with the
 * file's size.
 */
export function checkHdf5File(path: string, expected: string): void {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new Error("not a regular file");
    size = stat.size;
  } catch (error) {
    throw new Error(`${path}: cannot read (${(error as Error).message}); expected ${expected}`);
  }
  const fd = openSync(path, "r");
  try {
    let offset = -1;
    for (let candidate = 0; candidate + 8 <= size; candidate = candidate === 0 ? 512 : candidate * 2) {
      const bytes = readAt(fd, candidate, 8);
      if (SIGNATURE.every((b, i) => bytes[i] === b)) {
        offset = candidate;
        break;
      }
    }
    if (offset < 0) {
      throw new Error(`${path}: not an HDF5 file (no HDF5 signature); expected ${expected}. MATLAB .mat files older than v7.3 are not HDF5: re-save with save(..., '-v7.3')`);
    }
    const superblock = readAt(fd, offset, 96);
    const version = superblock[8];
    const offsetSize = version <= 1 ? superblock[13] : superblock[9];
    const baseField = version === 0 ? 24 : version === 1 ? 28 : 12;
    const eofField = baseField + 2 * offsetSize;
    if (![2, 4, 8].includes(offsetSize) || superblock.length < eofField + offsetSize) {
      throw new Error(`${path}: corrupt HDF5 superblock (version ${version}, offset size ${offsetSize}); expected ${expected}`);
    }
    const storedEof = offsetSize === 8 ? Number(superblock.readBigUInt64LE(eofField)) : superblock.readUIntLE(eofField, offsetSize);
    // Addresses are relative to the superblock's position (the base address when there is a user block).
    if (offset + storedEof > size) {
      throw new Error(`${path}: truncated: the HDF5 header records ${offset + storedEof} bytes but the file has ${size} (incomplete download or copy?); expected ${expected}`);
    }
  } finally {
    closeSync(fd);
  }
}
