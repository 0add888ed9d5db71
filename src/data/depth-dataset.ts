import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { readNpy } from "../io/npy.js";
import { SPLIT_NAMES, splitFiles } from "./dataset-writer.js";
import type { DepthDataset, DepthManifest, DepthSample, DepthSplit } from "./types.js";

const splitCount = z.number().int().nonnegative();

const manifestSchema = z.object({
  name: z.string(),
  source: z.enum(["synthetic", "nyu", "kitti"]),
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  counts: z.object({ train: splitCount, val: splitCount, test: splitCount }),
  depthRange_m: z.tuple([z.number(), z.number()]),
  seed: z.number().int().optional(),
  generatorVersion: z.string().optional(),
  createdAt: z.string(),
});

/** A split held in memory: rgb as uint8 [N,H,W,3], depth as float32 [N,H,W] metres. */
class InMemoryDepthSplit implements DepthSplit {
  constructor(
    readonly count: number,
    readonly height: number,
    readonly width: number,
    private readonly rgb8: Uint8Array,
    private readonly depth: Float32Array,
  ) {}

  get(index: number): DepthSample {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new RangeError(`sample index ${index} is outside 0..${this.count - 1}`);
    }
    const pixels = this.height * this.width;
    const rgb = new Float32Array(pixels * 3);
    const source = this.rgb8.subarray(index * pixels * 3, (index + 1) * pixels * 3);
    for (let k = 0; k < rgb.length; k++) rgb[k] = source[k] / 255;
    return { rgb, depth_m: this.depth.slice(index * pixels, (index + 1) * pixels) };
  }
}

function readManifest(dir: string): DepthManifest {
  const path = join(dir, "manifest.json");
  if (!existsSync(dir)) throw new Error(`${dir}: no such data set directory; create one with "optocnn data synthetic --out ${dir}"`);
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: ${dir} is not a complete optocnn depth data set (the manifest is written last, so an ` +
        `interrupted generation has none); regenerate it, e.g. "optocnn data synthetic --out ${dir}"`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message}); regenerate the data set`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: field "${issue.path.join(".")}" ${issue.message}; regenerate the data set`);
  }
  return parsed.data as DepthManifest;
}

/**
 * Opens a depth data set directory written by writeDepthDataset (synthetic, NYU or KITTI). The splits are
 * read into memory (64x64 x thousands of samples is tens of MB); shapes and dtypes are checked against
 * the manifest.
 */
export async function openDepthDataset(dir: string): Promise<DepthDataset> {
  const root = resolve(dir);
  const manifest = readManifest(root);
  const { height, width } = manifest;
  const splits = SPLIT_NAMES.map((split) => {
    const files = splitFiles(root, split);
    const count = manifest.counts[split];
    const rgb = readNpy(files.rgb);
    const depth = readNpy(files.depth);
    const expectRgb = [count, height, width, 3].join(", ");
    const expectDepth = [count, height, width].join(", ");
    if (!(rgb.data instanceof Uint8Array) || rgb.shape.join(", ") !== expectRgb) {
      throw new Error(`${files.rgb}: expected uint8 [${expectRgb}] as the manifest says, found ${rgb.data.constructor.name} [${rgb.shape.join(", ")}]`);
    }
    if (!(depth.data instanceof Float32Array) || depth.shape.join(", ") !== expectDepth) {
      throw new Error(`${files.depth}: expected float32 [${expectDepth}] as the manifest says, found ${depth.data.constructor.name} [${depth.shape.join(", ")}]`);
    }
    return new InMemoryDepthSplit(count, height, width, rgb.data, depth.data);
  });
  return { dir: root, manifest, train: splits[0], val: splits[1], test: splits[2] };
}
