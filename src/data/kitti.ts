import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PNG, type PNGWithMetadata } from "pngjs";
import { SPLIT_NAMES, writeDepthDataset } from "./dataset-writer.js";
import { centredAspectCrop, resampleArea } from "./resample.js";
import type { DepthManifest, DepthSplitName } from "./types.js";

/**
 * KITTI depth as users download it:
 *   raw frames      <raw>/<date>/<drive>/image_02/data/<frame>.png        (8-bit RGB; image_03 = right camera)
 *   depth maps      <depth>/{train,val}/<drive>/proj_depth/groundtruth/image_02/<frame>.png
 *                   (data_depth_annotated; data_depth_velodyne has proj_depth/velodyne_raw/ instead)
 * Depth PNGs are 16-bit grayscale: metres = value / 256, 0 = no measurement. <date> is the first ten
 * characters of the drive name (2011_09_26_drive_0001_sync -> 2011_09_26).
 */

/** One frame named by a split file. */
export interface KittiFrame {
  drive: string;
  camera: "image_02" | "image_03";
  /** Ten digits, as in the file names. */
  frame: string;
}

const DRIVE = /\d{4}_\d{2}_\d{2}_drive_\d{4}_sync/;

export const SPLIT_LINE_FORMATS = [
  "<date>/<drive> <frame index> <l|r>            (Monodepth2 splits, e.g. splits/eigen/test_files.txt)",
  "<date>/<drive>/image_0{2,3}/data/<frame>.<ext> [more columns]   (Eigen's / Monodepth's and BTS file lists: the first path is used)",
  "[train|val/]<drive>/proj_depth/<kind>/image_0{2,3}/<frame>.png   (depth-completion lists)",
] as const;

function key(frame: KittiFrame): string {
  return `${frame.drive} ${frame.camera} ${frame.frame}`;
}

/**
 * Parses a split file: one frame per line in any of SPLIT_LINE_FORMATS; blank lines and lines starting
 * with # are skipped. An image path's extension is ignored (lists written for .jpg conversions still
 * name the PNG frames on disk).
 */
export function parseKittiSplit(text: string, path: string): KittiFrame[] {
  const frames: KittiFrame[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const where = `${path}:${index + 1}`;
    const tokens = line.split(/\s+/);
    const drive = tokens[0].match(DRIVE)?.[0];
    if (!drive) throw new Error(`${where}: no KITTI drive name (like 2011_09_26_drive_0001_sync) in "${line}"; accepted lines:\n  ${SPLIT_LINE_FORMATS.join("\n  ")}`);
    const asPath = tokens[0].match(/(image_0[23])\/(?:data\/)?(\d+)\.[A-Za-z]+$/);
    if (asPath) {
      frames.push({ drive, camera: asPath[1] as KittiFrame["camera"], frame: asPath[2].padStart(10, "0") });
      return;
    }
    const [, frameIndex, side = "l"] = tokens;
    if (tokens.length > 3 || !/^\d+$/.test(frameIndex ?? "") || !/^[lr]$/.test(side)) {
      throw new Error(`${where}: cannot read "${line}"; accepted lines:\n  ${SPLIT_LINE_FORMATS.join("\n  ")}`);
    }
    frames.push({ drive, camera: side === "l" ? "image_02" : "image_03", frame: frameIndex.padStart(10, "0") });
  });
  return frames;
}

export interface KittiLayout {
  rawDir: string;
  depthDir: string;
  /** "groundtruth" (data_depth_annotated, denser) or "velodyne_raw" (data_depth_velodyne, the projected scans). */
  depthKind: "groundtruth" | "velodyne_raw";
}

/** Where a frame's RGB and depth PNGs would be; depth is looked up under train/, val/ and the root. */
export function kittiFramePaths(layout: KittiLayout, frame: KittiFrame): { rgb: string; depth: string; depthCandidates: string[] } {
  const rgb = join(layout.rawDir, frame.drive.slice(0, 10), frame.drive, frame.camera, "data", `${frame.frame}.png`);
  const depthCandidates = ["train", "val", ""].map((part) => join(layout.depthDir, part, frame.drive, "proj_depth", layout.depthKind, frame.camera, `${frame.frame}.png`));
  return { rgb, depth: depthCandidates.find((p) => existsSync(p)) ?? depthCandidates[0], depthCandidates };
}

function decodePng(path: string): PNGWithMetadata {
  try {
    return PNG.sync.read(readFileSync(path), { skipRescale: true });
  } catch (error) {
    throw new Error(`${path}: not a readable PNG (${(error as Error).message})`);
  }
}

/** A KITTI depth map: 16-bit grayscale PNG -> metres (value / 256), 0 where there is no measurement. */
export function readKittiDepth(path: string): { height: number; width: number; depth_m: Float32Array } {
  const png = decodePng(path);
  if (png.depth !== 16 || png.colorType !== 0) {
    throw new Error(`${path}: a ${png.depth}-bit ${png.colorType === 0 ? "grayscale" : "colour"} PNG; KITTI depth maps are 16-bit grayscale (metres = value / 256). Is this an RGB frame or a converted/visualised depth map?`);
  }
  // pngjs expands every pixel to 4 samples (gray, gray, gray, alpha) even at 16 bits.
  const samples = png.data as unknown as Uint16Array;
  const depth_m = new Float32Array(png.width * png.height);
  for (let i = 0; i < depth_m.length; i++) depth_m[i] = samples[4 * i] / 256;
  return { height: png.height, width: png.width, depth_m };
}

/** A KITTI colour frame: 8-bit RGB(A) PNG -> HWC uint8 RGB. */
export function readKittiRgb(path: string): { height: number; width: number; rgb: Uint8Array } {
  const png = decodePng(path);
  if (png.depth !== 8 || (png.colorType !== 2 && png.colorType !== 6)) {
    throw new Error(`${path}: a ${png.depth}-bit PNG of colour type ${png.colorType}; expected an 8-bit RGB frame (image_02 or image_03; image_00/01 are grayscale)`);
  }
  const rgb = new Uint8Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i++) {
    rgb[3 * i] = png.data[4 * i];
    rgb[3 * i + 1] = png.data[4 * i + 1];
    rgb[3 * i + 2] = png.data[4 * i + 2];
  }
  return { height: png.height, width: png.width, rgb };
}

export interface KittiConversionOptions extends KittiLayout {
  /** Split files (one frame per line, see SPLIT_LINE_FORMATS). */
  splits: Record<DepthSplitName, string>;
  dir: string;
  name?: string;
  height: number;
  width: number;
  /** Leave out listed frames whose RGB or depth file is absent (counted in the result) instead of failing. */
  skipMissing?: boolean;
  overwrite?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface KittiConversionResult {
  manifest: DepthManifest;
  /** Listed frames left out because a file was missing (only with skipMissing). */
  skipped: Record<DepthSplitName, number>;
}

/**
 * Converts the frames the split files list into an optocnn depth data set at the model size: per frame,
 * the largest centred crop with the output's aspect ratio, then area averaging (RGB over all pixels,
 * depth over measured pixels only, so no depth is invented; an output pixel with none stays 0). Every
 * listed file is located before anything is written; frames stream one at a time through the dataset
 * writer, which leaves nothing behind on an error.
 */
export async function convertKitti(options: KittiConversionOptions): Promise<KittiConversionResult> {
  const layout: KittiLayout = { rawDir: resolve(options.rawDir), depthDir: resolve(options.depthDir), depthKind: options.depthKind };
  for (const [flag, dir] of [["rawDir", layout.rawDir], ["depthDir", layout.depthDir]] as const) {
    if (!existsSync(dir)) throw new Error(`${flag} ${dir} does not exist`);
  }
  const skipped: Record<DepthSplitName, number> = { train: 0, val: 0, test: 0 };
  const seen = new Map<string, DepthSplitName>();
  const lists = {} as Record<DepthSplitName, { rgb: string; depth: string }[]>;
  for (const split of SPLIT_NAMES) {
    const splitPath = resolve(options.splits[split]);
    if (!existsSync(splitPath)) throw new Error(`${split} split file ${splitPath} does not exist`);
    const frames = parseKittiSplit(readFileSync(splitPath, "utf8"), splitPath);
    lists[split] = [];
    for (const frame of frames) {
      const other = seen.get(key(frame));
      if (other) throw new Error(`${splitPath}: frame ${key(frame)} is also listed in the ${other} split; splits must not share frames`);
      seen.set(key(frame), split);
      const paths = kittiFramePaths(layout, frame);
      const missing = !existsSync(paths.rgb) ? `RGB frame ${paths.rgb}` : !existsSync(paths.depth) ? `depth map (looked for ${paths.depthCandidates.join(", ")})` : null;
      if (missing) {
        if (options.skipMissing) {
          skipped[split]++;
          continue;
        }
        throw new Error(`${splitPath}: frame ${key(frame)} has no ${missing}; fix the paths (--raw, --depth, --depth-kind) or pass --skip-missing to leave such frames out`);
      }
      lists[split].push(paths);
    }
    if (lists[split].length === 0) {
      const why = frames.length === 0 ? "lists no frames" : `lists ${frames.length} frames, none of them on disk`;
      throw new Error(`${split} split file ${splitPath} ${why}; every split needs at least one frame`);
    }
  }

  const { height, width } = options;
  const counts = { train: lists.train.length, val: lists.val.length, test: lists.test.length };
  const manifest = await writeDepthDataset(
    { dir: options.dir, name: options.name, source: "kitti", height, width, counts, overwrite: options.overwrite, onProgress: options.onProgress },
    (split, index) => {
      const paths = lists[split][index];
      const image = readKittiRgb(paths.rgb);
      const depth = readKittiDepth(paths.depth);
      if (image.height !== depth.height || image.width !== depth.width) {
        throw new Error(`${paths.depth}: depth map is ${depth.height}x${depth.width} but its RGB frame ${paths.rgb} is ${image.height}x${image.width}; they must match`);
      }
      const region = centredAspectCrop({ top: 0, left: 0, height: image.height, width: image.width }, height, width);
      const rgb = resampleArea(image.rgb, image.width, 3, region, height, width, false);
      for (let k = 0; k < rgb.length; k++) rgb[k] /= 255;
      return { rgb, depth_m: resampleArea(depth.depth_m, depth.width, 1, region, height, width, true) };
    },
  );
  return { manifest, skipped };
}
