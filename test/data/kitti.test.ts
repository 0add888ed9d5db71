import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { PNG } from "pngjs";
import { openDepthDataset } from "../../src/data/depth-dataset.js";
import { convertKitti, parseKittiSplit, readKittiDepth, type KittiConversionOptions } from "../../src/data/kitti.js";

const root = mkdtempSync(join(tmpdir(), "optocnn-kitti-"));
after(() => rmSync(root, { recursive: true, force: true }));

const HEIGHT = 6;
const WIDTH = 18;
const DRIVE = "2011_09_26_drive_0001_sync";
const VAL_DRIVE = "2011_09_26_drive_0002_sync";

/** RGB of frame n at (row y, column x): red follows the column, green the row, blue the frame, so a transposed or flipped read shows. */
const rgbAt = (n: number, y: number, x: number) => [10 * x + n, 40 * y + 3, 7 * n + 100];
/** 16-bit depth value: metres = value / 256 = 5 + n + x / 4 + y / 16; holes (0) on a diagonal pattern and, in frame 0, a whole 3 x 3 corner. */
const depthValueAt = (n: number, y: number, x: number) => ((x + 2 * y) % 5 === 0 || (n === 0 && y < 3 && x < 3) ? 0 : 256 * (5 + n) + 64 * x + 16 * y);

function writePng(path: string, png: PNG, options: { bitDepth: 8 | 16; colorType: 0 | 2; inputColorType: 0 | 2 }): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, PNG.sync.write(png, { ...options, inputHasAlpha: false }));
}

function writeRgb(path: string, n: number, height = HEIGHT, width = WIDTH): void {
  const png = new PNG({ width, height });
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(rgbAt(n, y, x), (y * width + x) * 3);
  png.data = data;
  writePng(path, png, { bitDepth: 8, colorType: 2, inputColorType: 2 });
}

function writeDepth(path: string, n: number, options: { width?: number; eightBit?: boolean } = {}): void {
  const width = options.width ?? WIDTH;
  const png = new PNG({ width, height: HEIGHT });
  if (options.eightBit) {
    png.data = Buffer.from(Array.from({ length: width * HEIGHT }, (_, i) => depthValueAt(n, Math.floor(i / width), i % width) >> 8));
    writePng(path, png, { bitDepth: 8, colorType: 0, inputColorType: 0 });
    return;
  }
  const values = Uint16Array.from({ length: width * HEIGHT }, (_, i) => depthValueAt(n, Math.floor(i / width), i % width));
  png.data = Buffer.from(values.buffer);
  writePng(path, png, { bitDepth: 16, colorType: 0, inputColorType: 0 });
}

const frameName = (n: number) => String(n).padStart(10, "0");
const rgbPath = (base: string, drive: string, n: number) => join(base, "raw", drive.slice(0, 10), drive, "image_02", "data", `${frameName(n)}.png`);
const depthPath = (base: string, part: string, drive: string, n: number) => join(base, "depth", part, drive, "proj_depth", "groundtruth", "image_02", `${frameName(n)}.png`);

/**
 * A KITTI-layout tree: drive 0001 (frames 0..7, depth under train/) and drive 0002 (frames 0..1, depth
 * under val/), with split files in the three accepted line formats.
 */
function buildFixture(name: string): { base: string; options: (dir: string) => KittiConversionOptions } {
  const base = join(root, name);
  for (let n = 0; n < 8; n++) {
    writeRgb(rgbPath(base, DRIVE, n), n);
    writeDepth(depthPath(base, "train", DRIVE, n), n);
  }
  for (let n = 0; n < 2; n++) {
    writeRgb(rgbPath(base, VAL_DRIVE, n), 10 + n);
    writeDepth(depthPath(base, "val", VAL_DRIVE, n), 10 + n);
  }
  // Monodepth2 lines (unpadded and padded index), Eigen path pairs (.jpg as in Monodepth's lists), a depth-completion path.
  writeFileSync(join(base, "train.txt"), [0, 1, 2, 3, 4].map((n) => `2011_09_26/${DRIVE} ${n === 4 ? frameName(n) : n} l`).join("\n") + "\n");
  writeFileSync(join(base, "val.txt"), [5, 6].map((n) => `2011_09_26/${DRIVE}/image_02/data/${frameName(n)}.jpg 2011_09_26/${DRIVE}/image_03/data/${frameName(n)}.jpg`).join("\n"));
  writeFileSync(join(base, "test.txt"), `# test frames\n\nval/${VAL_DRIVE}/proj_depth/groundtruth/image_02/${frameName(1)}.png\n2011_09_26/${DRIVE}/image_02/data/${frameName(7)}.png 2011_09_26_drive_0001_sync/proj_depth/groundtruth/image_02/${frameName(7)}.png 721.5377\n`);
  return {
    base,
    options: (dir) => ({
      rawDir: join(base, "raw"), depthDir: join(base, "depth"), depthKind: "groundtruth",
      splits: { train: join(base, "train.txt"), val: join(base, "val.txt"), test: join(base, "test.txt") },
      dir: join(base, dir), height: HEIGHT, width: WIDTH,
    }),
  };
}

const good = buildFixture("good");

test("split lines in the Monodepth2, Eigen/BTS and depth-completion formats name drive, camera and frame", () => {
  assert.deepEqual(parseKittiSplit(`2011_09_26/${DRIVE} 69 r\n# comment\n\n2011_09_26/${DRIVE}/image_02/data/0000000012.jpg x.jpg\ntrain/${DRIVE}/proj_depth/velodyne_raw/image_03/0000000005.png`, "s.txt"), [
    { drive: DRIVE, camera: "image_03", frame: "0000000069" },
    { drive: DRIVE, camera: "image_02", frame: "0000000012" },
    { drive: DRIVE, camera: "image_03", frame: "0000000005" },
  ]);
  assert.throws(() => parseKittiSplit("2011_09_26/2011_09_26_drive_0001_sync\n", "s.txt"), /s\.txt:1: cannot read/);
  assert.throws(() => parseKittiSplit("ok\nfoo 12 l\n", "s.txt"), /s\.txt:1: no KITTI drive name/);
});

test("a 16-bit depth PNG reads as value / 256 metres with 0 kept for holes", () => {
  const { depth_m, height, width } = readKittiDepth(depthPath(good.base, "train", DRIVE, 3));
  assert.deepEqual([height, width], [HEIGHT, WIDTH]);
  for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) assert.equal(depth_m[y * WIDTH + x], depthValueAt(3, y, x) / 256, `${y},${x}`);
});

test("at the frame size every pixel lands where it was: rgb and depth exact, splits in file order", async () => {
  const { manifest, skipped } = await convertKitti(good.options("full"));
  assert.deepEqual(manifest.counts, { train: 5, val: 2, test: 2 });
  assert.deepEqual(skipped, { train: 0, val: 0, test: 0 });
  assert.equal(manifest.source, "kitti");
  const dataset = await openDepthDataset(join(good.base, "full"));
  const check = (sample: { rgb: Float32Array; depth_m: Float32Array }, n: number, label: string) => {
    for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) {
      const pixel = y * WIDTH + x;
      assert.deepEqual(Array.from(sample.rgb.subarray(3 * pixel, 3 * pixel + 3), (v) => Math.round(v * 255)), rgbAt(n, y, x), `${label} rgb ${y},${x}`);
      assert.equal(sample.depth_m[pixel], depthValueAt(n, y, x) / 256, `${label} depth ${y},${x}`);
    }
  };
  for (let i = 0; i < 5; i++) check(dataset.train.get(i), i, `train ${i}`);
  check(dataset.val.get(1), 6, "val 1");
  check(dataset.test.get(0), 11, "test 0 (drive 0002, depth under val/)");
  check(dataset.test.get(1), 7, "test 1");
});

test("shrinking 3x averages 3 x 3 blocks: rgb over all pixels, depth over measured pixels only (an all-hole block stays 0)", async () => {
  const options = { ...good.options("third"), height: 2, width: 6 };
  await convertKitti(options);
  const sample = (await openDepthDataset(options.dir)).train.get(0);
  for (let oy = 0; oy < 2; oy++) for (let ox = 0; ox < 6; ox++) {
    let depthSum = 0;
    let measured = 0;
    const rgbSum = [0, 0, 0];
    for (let y = 3 * oy; y < 3 * oy + 3; y++) for (let x = 3 * ox; x < 3 * ox + 3; x++) {
      const value = depthValueAt(0, y, x) / 256;
      if (value > 0) {
        depthSum += value;
        measured++;
      }
      rgbAt(0, y, x).forEach((v, c) => (rgbSum[c] += v));
    }
    const pixel = oy * 6 + ox;
    assert.equal(sample.depth_m[pixel], measured ? Math.fround(depthSum / measured) : 0, `depth ${oy},${ox}`);
    assert.deepEqual(Array.from(sample.rgb.subarray(3 * pixel, 3 * pixel + 3), (v) => Math.round(v * 255)), rgbSum.map((s) => Math.round(s / 9)), `rgb ${oy},${ox}`);
  }
  assert.equal(sample.depth_m[0], 0, "frame 0's hole corner has no measurement");
});

/** Asserts convertKitti fails with `message` and leaves the fixture directory as it was (no output, no .partial). */
async function assertFailsCleanly(base: string, options: KittiConversionOptions, message: RegExp): Promise<void> {
  const before = readdirSync(base).sort();
  await assert.rejects(convertKitti(options), message);
  assert.deepEqual(readdirSync(base).sort(), before);
  assert.equal(existsSync(options.dir), false);
}

test("an 8-bit depth PNG is an error naming the file; nothing is written", async () => {
  const fixture = buildFixture("eight-bit");
  const bad = depthPath(fixture.base, "train", DRIVE, 7);
  writeDepth(bad, 7, { eightBit: true });
  await assertFailsCleanly(fixture.base, fixture.options("out"), new RegExp(`${bad.replaceAll(".", "\\.")}: a 8-bit grayscale PNG; KITTI depth maps are 16-bit`));
});

test("RGB and depth of different sizes are an error naming both files; nothing is written", async () => {
  const fixture = buildFixture("sizes");
  writeDepth(depthPath(fixture.base, "train", DRIVE, 6), 6, { width: WIDTH - 1 });
  await assertFailsCleanly(fixture.base, fixture.options("out"), /0000000006\.png: depth map is 6x17 but its RGB frame .*image_02\/data\/0000000006\.png is 6x18/);
});

test("a listed frame missing on disk is an error naming the split file and the frame, unless --skip-missing", async () => {
  const fixture = buildFixture("missing");
  writeFileSync(join(fixture.base, "train.txt"), `2011_09_26/${DRIVE} 0 l\n2011_09_26/${DRIVE} 42 l\n`);
  await assertFailsCleanly(fixture.base, fixture.options("out"), /train\.txt: frame 2011_09_26_drive_0001_sync image_02 0000000042 has no RGB frame .*0000000042\.png.*--skip-missing/);
  rmSync(depthPath(fixture.base, "val", VAL_DRIVE, 1));
  await assertFailsCleanly(fixture.base, fixture.options("out"), /train\.txt: frame .*0000000042/);
  writeFileSync(join(fixture.base, "train.txt"), `2011_09_26/${DRIVE} 0 l\n`);
  await assertFailsCleanly(fixture.base, fixture.options("out"), /test\.txt: frame 2011_09_26_drive_0002_sync image_02 0000000001 has no depth map \(looked for .*train.*val.*\)/);
  const { manifest, skipped } = await convertKitti({ ...fixture.options("out"), skipMissing: true });
  assert.deepEqual(skipped, { train: 0, val: 0, test: 1 });
  assert.deepEqual(manifest.counts, { train: 1, val: 2, test: 1 });
});

test("an empty test split, or one frame in two splits, is an error naming the file; nothing is written", async () => {
  const fixture = buildFixture("empty");
  writeFileSync(join(fixture.base, "test.txt"), "# no frames here\n\n");
  await assertFailsCleanly(fixture.base, fixture.options("out"), /test split file .*test\.txt lists no frames; every split needs at least one frame/);
  writeFileSync(join(fixture.base, "test.txt"), `2011_09_26/${DRIVE} 3 l\n`);
  await assertFailsCleanly(fixture.base, fixture.options("out"), /test\.txt: frame .*0000000003 is also listed in the train split/);
});

test("optocnn data kitti converts from the command line and names a bad option", () => {
  const out = join(good.base, "cli");
  const args = ["bin/optocnn.mjs", "data", "kitti", "--raw", join(good.base, "raw"), "--depth", join(good.base, "depth"), "--train-split", join(good.base, "train.txt"), "--val-split", join(good.base, "val.txt"), "--test-split", join(good.base, "test.txt"), "--out", out];
  const stdout = execFileSync("node", [...args, "--size", "2x6"], { encoding: "utf8", stdio: "pipe" });
  assert.deepEqual(JSON.parse(stdout).counts, { train: 5, val: 2, test: 2 });
  assert.equal(JSON.parse(stdout).height, 2);
  let stderr = "";
  try {
    execFileSync("node", [...args.slice(0, -1), join(good.base, "cli2"), "--depth-kind", "lidar"], { encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    stderr = String((error as { stderr: string }).stderr);
  }
  assert.match(stderr, /--depth-kind/);
});
