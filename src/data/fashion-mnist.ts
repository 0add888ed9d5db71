import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { ClassificationSet } from "./types.js";

/** Where Debian's dataset-fashion-mnist package installs the IDX files. */
export const DEFAULT_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

export const FASHION_MNIST_CLASSES = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
] as const;

const IDX_UBYTE = 0x08;

/** Reads an IDX file (optionally gzip-compressed): unsigned bytes with the given number of dimensions. */
export function readIdx(path: string, expectedDims: number): { dims: number[]; data: Uint8Array } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`${path}: cannot read IDX file (${(error as Error).message})`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new Error(`${path}: corrupt gzip data (${(error as Error).message}); download the file again`);
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint16(0) !== 0 || bytes[2] !== IDX_UBYTE || bytes[3] !== expectedDims) {
    const found = bytes.length < 4 ? `${bytes.length} bytes` : `magic ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ")}`;
    throw new Error(`${path}: not an IDX unsigned-byte file with ${expectedDims} dimensions (expected magic 00 00 08 0${expectedDims}, found ${found})`);
  }
  const headerBytes = 4 + 4 * expectedDims;
  if (bytes.length < headerBytes) throw new Error(`${path}: truncated IDX header (${bytes.length} of ${headerBytes} bytes)`);
  const dims = Array.from({ length: expectedDims }, (_, i) => view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - headerBytes !== count) {
    throw new Error(`${path}: header says [${dims.join(", ")}] = ${count} bytes of data, the file has ${bytes.length - headerBytes}; the file is truncated or corrupt`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

function idxPath(dir: string, stem: string): string {
  for (const candidate of [join(dir, stem), join(dir, `${stem}.gz`)]) if (existsSync(candidate)) return candidate;
  throw new Error(
    `${join(dir, stem)}(.gz) not found: Fashion-MNIST IDX files are expected in ${dir} ` +
      `(install Debian's dataset-fashion-mnist package or pass the directory holding ${stem}.gz)`,
  );
}

export interface FashionMnistOptions {
  /** Directory with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]; default DEFAULT_FASHION_MNIST_DIR. */
  dir?: string;
  split: "train" | "test";
  /** Keep only the first `limit` samples. */
  limit?: number;
}

/** Loads Fashion-MNIST (or MNIST: same file names and format) as float images in [0,1] with labels. */
export function loadFashionMnist(options: FashionMnistOptions): ClassificationSet {
  const dir = options.dir ?? DEFAULT_FASHION_MNIST_DIR;
  const prefix = options.split === "train" ? "train" : "t10k";
  const imagesPath = idxPath(dir, `${prefix}-images-idx3-ubyte`);
  const labelsPath = idxPath(dir, `${prefix}-labels-idx1-ubyte`);
  const images = readIdx(imagesPath, 3);
  const labels = readIdx(labelsPath, 1);
  if (images.dims[1] !== 28 || images.dims[2] !== 28) {
    throw new Error(`${imagesPath}: expected 28x28 images, found ${images.dims[1]}x${images.dims[2]}`);
  }
  if (images.dims[0] !== labels.dims[0]) {
    throw new Error(`${imagesPath} holds ${images.dims[0]} images but ${labelsPath} holds ${labels.dims[0]} labels; they must match`);
  }
  const badLabel = labels.data.findIndex((label) => label > 9);
  if (badLabel >= 0) throw new Error(`${labelsPath}: label ${labels.data[badLabel]} at index ${badLabel} is outside 0..9`);
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 0)) {
    throw new Error(`loadFashionMnist: limit must be a non-negative integer, got ${options.limit}`);
  }
  const count = Math.min(images.dims[0], options.limit ?? Infinity);
  const floats = new Float32Array(count * 28 * 28);
  for (let k = 0; k < floats.length; k++) floats[k] = images.data[k] / 255;
  return { images: floats, labels: labels.data.slice(0, count), count, height: 28, width: 28 };
}
