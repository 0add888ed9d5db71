import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { after, test } from "node:test";
import { DEFAULT_FASHION_MNIST_DIR, loadFashionMnist } from "../../src/data/fashion-mnist.js";

const root = mkdtempSync(join(tmpdir(), "optocnn-idx-"));
after(() => rmSync(root, { recursive: true, force: true }));

function idx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(0x08, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

test("parses IDX images and labels (plain and gzip), scales to [0,1] and honours limit", () => {
  const dir = join(root, "tiny");
  const pixels = new Uint8Array(3 * 28 * 28).map((_, k) => k % 256);
  mkdirSync(dir);
  writeFileSync(join(dir, "t10k-images-idx3-ubyte"), idx([3, 28, 28], pixels));
  writeFileSync(join(dir, "t10k-labels-idx1-ubyte.gz"), gzipSync(idx([3], Uint8Array.from([9, 0, 4]))));
  const set = loadFashionMnist({ dir, split: "test" });
  assert.equal(set.count, 3);
  assert.deepEqual(Array.from(set.labels), [9, 0, 4]);
  assert.equal(set.images[28 * 28 + 5], Math.fround(((28 * 28 + 5) % 256) / 255));
  assert.equal(loadFashionMnist({ dir, split: "test", limit: 2 }).images.length, 2 * 28 * 28);
});

test("missing, truncated and mismatched IDX files name the file", () => {
  const dir = join(root, "bad");
  mkdirSync(dir);
  assert.throws(() => loadFashionMnist({ dir, split: "train" }), /train-images-idx3-ubyte\(\.gz\) not found.*dataset-fashion-mnist/);
  writeFileSync(join(dir, "train-images-idx3-ubyte"), idx([2, 28, 28], new Uint8Array(28 * 28 + 10)));
  writeFileSync(join(dir, "train-labels-idx1-ubyte"), idx([2], Uint8Array.from([1, 2])));
  assert.throws(() => loadFashionMnist({ dir, split: "train" }), /train-images-idx3-ubyte: header says \[2, 28, 28\] = 1568 bytes of data, the file has 794/);
  writeFileSync(join(dir, "train-images-idx3-ubyte"), idx([2, 28, 28], new Uint8Array(2 * 28 * 28)));
  writeFileSync(join(dir, "train-labels-idx1-ubyte"), idx([3], Uint8Array.from([1, 2, 3])));
  assert.throws(() => loadFashionMnist({ dir, split: "train" }), /holds 2 images but .*train-labels-idx1-ubyte holds 3 labels/);
  writeFileSync(join(dir, "train-labels-idx1-ubyte"), Buffer.from("not idx at all"));
  assert.throws(() => loadFashionMnist({ dir, split: "train" }), /train-labels-idx1-ubyte: not an IDX unsigned-byte file with 1 dimensions/);
});

test("the Debian Fashion-MNIST files: 60000/10000 images, 6000 per class in train", { skip: !existsSync(DEFAULT_FASHION_MNIST_DIR) && "dataset-fashion-mnist not installed" }, () => {
  const train = loadFashionMnist({ split: "train" });
  assert.equal(train.count, 60000);
  const perClass = new Array(10).fill(0);
  for (const label of train.labels) perClass[label]++;
  assert.deepEqual(perClass, new Array(10).fill(6000));
  let max = 0;
  for (const v of train.images) if (v > max) max = v;
  assert.equal(max, 1);
  assert.equal(loadFashionMnist({ split: "test" }).count, 10000);
});
