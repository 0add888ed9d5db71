/**
 * Writes synthetic scenes in the KITTI depth layout, to try `optocnn data kitti` end to end without the
 * download (no KITTI data is reachable from this project's machines):
 *   <out>/raw/2011_09_26/<drive>/image_02/data/<frame>.png                              8-bit RGB
 *   <out>/depth/{train,val}/<drive>/proj_depth/groundtruth/image_02/<frame>.png       16-bit, metres * 256
 *   <out>/{train,val,test}_files.txt                                                  split files
 * Frames are 96 x 312 by default (KITTI's aspect; KITTI's own are 375 x 1242); depth is made sparse like a projected lidar scan: nothing in the
 * top 30 % of rows, and a seeded 30 % of the other pixels kept. Drives 1-8 train, 9 validation, 10 test.
 *
 *   node --import tsx scripts/kitti-layout-from-synthetic.ts <out> [frames per drive, default 32] [HxW, default 96x312]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PNG } from "pngjs";
import { syntheticSample } from "../src/data/synthetic/generate.js";
import type { DepthSplitName } from "../src/data/types.js";
import { createRandom } from "../src/util/random.js";

const [out, framesArg, sizeArg = "96x312"] = process.argv.slice(2);
if (!out) throw new Error("usage: node --import tsx scripts/kitti-layout-from-synthetic.ts <out> [frames per drive] [HxW]");
const framesPerDrive = Number(framesArg ?? 32);
if (!Number.isInteger(framesPerDrive) || framesPerDrive < 1) throw new Error(`frames per drive must be a positive whole number, got ${framesArg}`);
if (!/^\d+x\d+$/.test(sizeArg)) throw new Error(`frame size must be HxW, e.g. 375x1242, got ${sizeArg}`);
const [HEIGHT, WIDTH] = sizeArg.split("x").map(Number);
const KEPT_FRACTION = 0.3;
const FIRST_MEASURED_ROW = Math.round(0.3 * HEIGHT);

function writePng(path: string, data: Buffer, bitDepth: 8 | 16, colorType: 0 | 2): void {
  const png = new PNG({ width: WIDTH, height: HEIGHT });
  png.data = data;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, PNG.sync.write(png, { bitDepth, colorType, inputColorType: colorType, inputHasAlpha: false }));
}

const lines: Record<DepthSplitName, string[]> = { train: [], val: [], test: [] };
for (let drive = 1; drive <= 10; drive++) {
  const split: DepthSplitName = drive <= 8 ? "train" : drive === 9 ? "val" : "test";
  const name = `2011_09_26_drive_${String(drive).padStart(4, "0")}_sync`;
  const keep = createRandom(drive);
  for (let n = 0; n < framesPerDrive; n++) {
    const frame = String(n).padStart(10, "0");
    const sample = syntheticSample(1, split, (drive - 1) * framesPerDrive + n, HEIGHT, WIDTH);
    const rgb = Buffer.from(sample.rgb.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
    const depth = Uint16Array.from(sample.depth_m, (d, i) => (i >= FIRST_MEASURED_ROW * WIDTH && keep() < KEPT_FRACTION ? Math.round(d * 256) : 0));
    writePng(join(out, "raw", "2011_09_26", name, "image_02", "data", `${frame}.png`), rgb, 8, 2);
    writePng(join(out, "depth", split === "train" ? "train" : "val", name, "proj_depth", "groundtruth", "image_02", `${frame}.png`), Buffer.from(depth.buffer), 16, 0);
    // Train and val in Monodepth2's format, test in Eigen's path format (both accepted by data kitti).
    lines[split].push(split === "test" ? `2011_09_26/${name}/image_02/data/${frame}.png` : `2011_09_26/${name} ${n} l`);
  }
}
for (const split of ["train", "val", "test"] as const) writeFileSync(join(out, `${split}_files.txt`), lines[split].join("\n") + "\n");
console.log(`wrote ${10 * framesPerDrive} frames (${lines.train.length} train, ${lines.val.length} val, ${lines.test.length} test) under ${out}`);
