import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { writeJsonAtomic } from "../io/atomic.js";
import { NpyStreamWriter } from "./npy-stream.js";
import type { DepthManifest, DepthSample, DepthSource, DepthSplitName } from "./types.js";

export const SPLIT_NAMES: readonly DepthSplitName[] = ["train", "val", "test"];

/** File names inside a data set directory (format documented in src/data/README.md). */
export function splitFiles(dir: string, split: DepthSplitName): { rgb: string; depth: string } {
  return { rgb: join(dir, `${split}_rgb.npy`), depth: join(dir, `${split}_depth.npy`) };
}

export interface DepthDatasetSpec {
  /** Output directory; must not exist (or be empty) unless overwrite is set. */
  dir: string;
  name?: string;
  source: DepthSource;
  height: number;
  width: number;
  counts: { train: number; val: number; test: number };
  seed?: number;
  generatorVersion?: string;
  overwrite?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Writes a depth data set sample by sample (constant memory) into a hidden temporary sibling directory,
 * writes manifest.json last and then renames the directory into place, so an interrupted or failed run
 * never leaves a directory that looks complete.
 */
export async function writeDepthDataset(
  spec: DepthDatasetSpec,
  sampleAt: (split: DepthSplitName, index: number) => DepthSample | Promise<DepthSample>,
): Promise<DepthManifest> {
  const dir = resolve(spec.dir);
  const { height, width, counts } = spec;
  const occupied = existsSync(dir) && readdirSync(dir).length > 0;
  if (occupied && !spec.overwrite) {
    throw new Error(`${dir} already exists and is not empty; choose another output directory or allow overwriting (--force)`);
  }
  mkdirSync(dirname(dir), { recursive: true });
  removeStaleSiblings(dir);
  const partial = join(dirname(dir), `.${basename(dir)}.partial-${process.pid}-${Date.now()}`);
  mkdirSync(partial);
  const total = counts.train + counts.val + counts.test;
  let done = 0;
  let minDepth = Infinity;
  let maxDepth = -Infinity;
  try {
    for (const split of SPLIT_NAMES) {
      const files = splitFiles(partial, split);
      const rgbWriter = new NpyStreamWriter(files.rgb, "|u1", [counts[split], height, width, 3]);
      const depthWriter = new NpyStreamWriter(files.depth, "<f4", [counts[split], height, width]);
      try {
        const rgb8 = new Uint8Array(height * width * 3);
        for (let i = 0; i < counts[split]; i++) {
          const sample = await sampleAt(split, i);
          if (sample.rgb.length !== rgb8.length || sample.depth_m.length !== height * width) {
            throw new Error(`${split} sample ${i}: expected ${height}x${width} rgb and depth, got ${sample.rgb.length / 3} and ${sample.depth_m.length} pixels`);
          }
          for (let k = 0; k < rgb8.length; k++) rgb8[k] = Math.round(Math.min(1, Math.max(0, sample.rgb[k])) * 255);
          for (const d of sample.depth_m) {
            if (d > 0 && d < Infinity) {
              if (d < minDepth) minDepth = d;
              if (d > maxDepth) maxDepth = d;
            }
          }
          rgbWriter.append(rgb8);
          depthWriter.append(sample.depth_m);
          spec.onProgress?.(++done, total);
        }
      } catch (error) {
        rgbWriter.abandon();
        depthWriter.abandon();
        throw error;
      }
      rgbWriter.close();
      depthWriter.close();
    }
    if (!Number.isFinite(minDepth)) {
      throw new Error(`no pixel of the ${total} samples has a valid depth (all are NaN, infinite or <= 0), so nothing could be trained or scored; check the depth source (nothing was written to ${dir})`);
    }
    const manifest: DepthManifest = {
      name: spec.name ?? basename(dir),
      source: spec.source,
      height,
      width,
      counts: { ...counts },
      depthRange_m: [minDepth, maxDepth],
      ...(spec.seed === undefined ? {} : { seed: spec.seed }),
      ...(spec.generatorVersion === undefined ? {} : { generatorVersion: spec.generatorVersion }),
      createdAt: new Date().toISOString(),
    };
    writeJsonAtomic(join(partial, "manifest.json"), manifest);
    if (existsSync(dir)) {
      // Move the old set aside first: rename cannot replace a non-empty directory.
      const old = join(dirname(dir), `.${basename(dir)}.old-${process.pid}-${Date.now()}`);
      if (occupied) renameSync(dir, old);
      else rmdirSync(dir);
      renameSync(partial, dir);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(partial, dir);
    }
    return manifest;
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes the hidden partial and set-aside folders of earlier writers of `dir` that are no longer running. */
function removeStaleSiblings(dir: string): void {
  const prefix = `.${basename(dir)}.`;
  for (const name of readdirSync(dirname(dir))) {
    const match = name.startsWith(prefix) ? /^(?:partial|old)-(\d+)-\d+$/.exec(name.slice(prefix.length)) : null;
    if (match && Number(match[1]) !== process.pid && !isRunning(Number(match[1]))) rmSync(join(dirname(dir), name), { recursive: true, force: true });
  }
}
