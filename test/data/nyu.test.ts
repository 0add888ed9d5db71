import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import h5wasm from "h5wasm/node";
import { openDepthDataset } from "../../src/data/depth-dataset.js";
import { convertNyu, openNyuMat } from "../../src/data/nyu.js";

const root = mkdtempSync(join(tmpdir(), "optocnn-nyu-"));
after(() => rmSync(root, { recursive: true, force: true }));

const COUNT = 10;
const HEIGHT = 6;
const WIDTH = 8;

/** Value of channel c at (row y, column x) of frame n: distinct per position so axis mix-ups show. */
const rgbValue = (n: number, c: number, y: number, x: number) => (n * 53 + c * 31 + y * 11 + x * 3) % 256;
const depthValue = (n: number, y: number, x: number) => 1 + n + 0.1 * y + 0.01 * x;

/** Writes a file with the NYU labeled layout: images [N,3,W,H] uint8, depths [N,W,H] float32 (MATLAB axes reversed). */
function writeNyuLike(path: string, options: { imageCount?: number; depthCount?: number; swapHW?: boolean; imagesName?: string } = {}): void {
  const imageCount = options.imageCount ?? COUNT;
  const depthCount = options.depthCount ?? COUNT;
  const images = new Uint8Array(imageCount * 3 * WIDTH * HEIGHT);
  for (let n = 0; n < imageCount; n++) for (let c = 0; c < 3; c++) for (let x = 0; x < WIDTH; x++) for (let y = 0; y < HEIGHT; y++) {
    images[((n * 3 + c) * WIDTH + x) * HEIGHT + y] = rgbValue(n, c, y, x);
  }
  const depths = new Float32Array(depthCount * WIDTH * HEIGHT);
  for (let n = 0; n < depthCount; n++) for (let x = 0; x < WIDTH; x++) for (let y = 0; y < HEIGHT; y++) {
    depths[(n * WIDTH + x) * HEIGHT + y] = depthValue(n, y, x);
  }
  const file = new h5wasm.File(path, "w");
  file.create_dataset({ name: options.imagesName ?? "images", data: images, shape: options.swapHW ? [imageCount, 3, HEIGHT, WIDTH] : [imageCount, 3, WIDTH, HEIGHT], dtype: "<B" });
  file.create_dataset({ name: "depths", data: depths, shape: [depthCount, WIDTH, HEIGHT], dtype: "<f" });
  file.close();
}

const good = join(root, "nyu_like.mat");
before(async () => {
  await h5wasm.ready;
  writeNyuLike(good);
});

test("frames land at the right pixel: images[n][c][x][y] -> rgb[(y*W + x)*3 + c], depths[n][x][y] -> depth[y*W + x]", async () => {
  const nyu = await openNyuMat(good);
  assert.deepEqual([nyu.count, nyu.height, nyu.width], [COUNT, HEIGHT, WIDTH]);
  const frame = nyu.read(7);
  for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) {
    for (let c = 0; c < 3; c++) assert.equal(frame.rgb[(y * WIDTH + x) * 3 + c], rgbValue(7, c, y, x), `rgb ${y},${x},${c}`);
    assert.ok(Math.abs(frame.depth_m[y * WIDTH + x] - depthValue(7, y, x)) < 1e-6);
  }
  nyu.close();
});

test("a 512-byte user block before the HDF5 data (as in MATLAB v7.3 .mat files) is accepted", async () => {
  const withUserBlock = join(root, "matlab_like.mat");
  const header = Buffer.alloc(512, 0x20);
  header.write("MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00 .", 0, "latin1");
  writeFileSync(withUserBlock, Buffer.concat([header, readFileSync(good)]));
  const nyu = await openNyuMat(withUserBlock);
  assert.equal(nyu.read(3).rgb[(4 * WIDTH + 6) * 3 + 2], rgbValue(3, 2, 4, 6));
  nyu.close();
});

test("convertNyu keeps pixels at full size, area-averages when shrinking and splits contiguously", async () => {
  const full = join(root, "full");
  const manifest = await convertNyu({ matPath: good, dir: full, height: HEIGHT, width: WIDTH, crop: "none", valFraction: 0.2, testFraction: 0.1 });
  assert.deepEqual(manifest.counts, { train: 7, val: 2, test: 1 });
  assert.equal(manifest.source, "nyu");
  const dataset = await openDepthDataset(full);
  const val1 = dataset.val.get(1); // frame 8
  assert.ok(Math.abs(val1.rgb[(2 * WIDTH + 5) * 3 + 1] - rgbValue(8, 1, 2, 5) / 255) < 1e-6);
  assert.ok(Math.abs(val1.depth_m[2 * WIDTH + 5] - depthValue(8, 2, 5)) < 1e-6);

  const half = join(root, "half");
  await convertNyu({ matPath: good, dir: half, height: 3, width: 4, crop: "none" });
  const test0 = (await openDepthDataset(half)).test.get(0); // frame 9: 2x2 block means
  const block = (f: (y: number, x: number) => number, oy: number, ox: number) => (f(2 * oy, 2 * ox) + f(2 * oy, 2 * ox + 1) + f(2 * oy + 1, 2 * ox) + f(2 * oy + 1, 2 * ox + 1)) / 4;
  assert.ok(Math.abs(test0.depth_m[1 * 4 + 3] - block((y, x) => depthValue(9, y, x), 1, 3)) < 1e-5);
  const expectedRed = block((y, x) => rgbValue(9, 0, y, x), 2, 0) / 255;
  assert.ok(Math.abs(test0.rgb[(2 * 4 + 0) * 3] - expectedRed) <= 0.5 / 255 + 1e-6);
});

test("bad NYU files give errors naming the file and the expected layout; nothing is left behind", async () => {
  const out = join(root, "bad-out");
  const expectFailure = async (path: string, pattern: RegExp) => {
    await assert.rejects(convertNyu({ matPath: path, dir: out }), (error: Error) => {
      assert.match(error.message, pattern);
      assert.ok(error.message.includes(path), `names the file: ${error.message}`);
      return true;
    });
    assert.equal(existsSync(out), false);
  };
  await expectFailure(join(root, "missing.mat"), /cannot read.*expected NYU Depth v2/);

  const mismatch = join(root, "mismatch.mat");
  writeNyuLike(mismatch, { depthCount: COUNT - 1 });
  await expectFailure(mismatch, /"images" holds 10 frames but "depths" holds 9/);

  const swapped = join(root, "swapped.mat");
  writeNyuLike(swapped, { swapHW: true });
  await expectFailure(swapped, /W=6 x H=8 but "depths" frames are W=8 x H=6/);

  const renamed = join(root, "renamed.mat");
  writeNyuLike(renamed, { imagesName: "rgb" });
  await expectFailure(renamed, /no dataset "images" \(found: depths, rgb\)/);

  const truncated = join(root, "truncated.mat");
  copyFileSync(good, truncated);
  truncateSync(truncated, Math.floor(statSync(good).size / 2));
  await expectFailure(truncated, /truncated: the HDF5 header records \d+ bytes but the file has \d+/);

  const notHdf5 = join(root, "v5.mat");
  writeFileSync(notHdf5, "MATLAB 5.0 MAT-file, Platform: GLNXA64".padEnd(2048, " "));
  await expectFailure(notHdf5, /not an HDF5 file.*-v7\.3/);
});
