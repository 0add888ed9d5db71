import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join, basename } from "node:path";

/**
 * Writes a file so that readers see either the old content or the complete new one, never a torn file:
 * write to a temporary sibling, then rename (atomic within one file system).
 */
export function writeFileAtomic(path: string, data: string | NodeJS.ArrayBufferView | readonly NodeJS.ArrayBufferView[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    if (Array.isArray(data)) writeParts(tmp, data);
    else writeFileSync(tmp, data as string | NodeJS.ArrayBufferView);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** Writes the parts one after another, so a big array is written from where it lies rather than copied behind a header. */
function writeParts(path: string, parts: readonly NodeJS.ArrayBufferView[]): void {
  const fd = openSync(path, "w");
  try {
    for (const part of parts) {
      const bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
    }
  } finally {
    closeSync(fd);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}
