import type { Command } from "commander";
import { z } from "zod";
import { mismatchPolicy, parseOptions, stageOptions } from "../options.js";
import { PRESET_NAMES, PRESETS } from "../../pipeline/presets.js";

/** "64x64" or "48x64" (HxW) -> { height, width }. */
const sizeSchema = z.string().regex(/^\d+x\d+$/, "must be HxW, e.g. 64x64").transform((text) => {
  const [height, width] = text.split("x").map(Number);
  return { height, width };
}).refine((s) => s.height >= 1 && s.width >= 1 && s.height <= 4096 && s.width <= 4096, "height and width must be 1..4096");

const fraction = z.coerce.number().min(0).max(0.5);

/** A cli-progress bar on stderr; returns the onProgress callback and a stop function. */
async function progressBar(label: string): Promise<{ onProgress: (done: number, total: number) => void; stop: () => void }> {
  const { SingleBar, Presets } = await import("cli-progress");
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total} samples | {eta_formatted} left`, stream: process.stderr }, Presets.shades_classic);
  let started = false;
  return {
    onProgress: (done, total) => {
      if (!started) { bar.start(total, 0); started = true; }
      bar.update(done);
    },
    stop: () => { if (started) bar.stop(); },
  };
}

async function withProgress<T>(label: string, work: (onProgress: (done: number, total: number) => void) => Promise<T>): Promise<T> {
  const bar = await progressBar(label);
  try {
    return await work(bar.onProgress);
  } finally {
    bar.stop();
  }
}

const SYNTHETIC = stageOptions({
  preset: "take the size, count and seed of a preset",
  out: "output directory (default: the preset's, data/synth<size>-<preset>)",
  force: "replace an existing data set made with other settings",
});
const NYU = stageOptions({ force: "replace an optocnn data set made with other settings (never a folder optocnn did not make)" });
const KITTI = stageOptions({
  preset: `take the output size of a preset (${PRESET_NAMES.map((n) => `${n} ${PRESETS[n].kitti.height}x${PRESETS[n].kitti.width}`).join(", ")})`,
  force: "replace an existing output directory",
});

export function register(program: Command): void {
  const data = program.command("data").description("create and inspect RGB-D data sets (synthetic, NYU Depth v2, KITTI) and check Fashion-MNIST");

  SYNTHETIC.addTo(data.command("synthetic").description("render a procedural RGB-D data set (no download): ground plane, walls or sky, textured objects, metric depth 0.5-20 m"))
    .option("--count <n>", "total samples, split 80/10/10 into train/val/test (default: the preset's)")
    .option("--size <HxW>", "image size (default: the preset's)")
    .option("--seed <n>", "random seed (same seed = same data set; default: the preset's)")
    .option("--name <name>", "data set name in the manifest (default: directory name)")
    .action(async (raw) => {
      const options = parseOptions(
        z.object({
          ...SYNTHETIC.fields, count: z.coerce.number().int("must be a whole number").min(10, "must be at least 10: the 80/10/10 split gives val and test one sample each from 10 samples on, and train needs all three").max(10_000_000, "must be at most 10,000,000").optional(), size: sizeSchema.optional(),
          seed: z.coerce.number().int().min(0).max(2 ** 32 - 1).optional(), name: z.string().optional(),
        }),
        raw,
      );
      const { syntheticDataStage } = await import("../../pipeline/data-stage.js");
      const { presetLayout } = await import("../../pipeline/layout.js");
      const preset = PRESETS[options.preset];
      const settings = { ...preset.data, ...options.size, samples: options.count ?? preset.data.samples, seed: options.seed ?? preset.data.seed };
      const out = options.out ?? presetLayout(preset).dataDir;
      const started = performance.now();
      const { dataset, reused } = await withProgress("synthetic", (onProgress) =>
        syntheticDataStage({ dir: out, settings, name: options.name, policy: mismatchPolicy(options), onProgress, log: (line) => console.error(line) }),
      );
      const seconds = (performance.now() - started) / 1000;
      console.log(JSON.stringify(dataset.manifest, null, 2));
      if (reused) console.error(`${out} already holds this data set (same settings); nothing to do`);
      else console.error(`wrote ${settings.samples} samples to ${out} in ${seconds.toFixed(1)} s (${((seconds * 1000) / settings.samples).toFixed(2)} ms/sample)`);
    });

  NYU.addTo(data.command("nyu").description("convert the NYU Depth v2 labeled .mat (MATLAB v7.3 / HDF5) to a data set at the model size, streaming frame by frame"))
    .requiredOption("--mat <file>", "nyu_depth_v2_labeled.mat")
    .requiredOption("--out <dir>", "output directory (must not exist, or hold an optocnn data set and --force)")
    .option("--size <HxW>", "output size (centred crop to this aspect ratio, then area resize)", "64x64")
    .option("--crop <mode>", "eigen: drop the unregistered border first (Eigen et al. crop); none: whole frame", "eigen")
    .option("--val-fraction <f>", "fraction of frames for validation (contiguous block after train)", "0.1")
    .option("--test-fraction <f>", "fraction of frames for test (last contiguous block)", "0.1")
    .option("--name <name>", "data set name in the manifest (default: directory name)")
    .action(async (raw) => {
      const options = parseOptions(
        z.object({
          ...NYU.fields, mat: z.string().min(1), out: z.string().min(1), size: sizeSchema, crop: z.enum(["eigen", "none"]),
          valFraction: fraction, testFraction: fraction, name: z.string().optional(),
        }),
        raw,
      );
      const { existsSync, statSync } = await import("node:fs");
      const { resolve } = await import("node:path");
      if (!existsSync(options.mat) || !statSync(options.mat).isFile()) throw new Error(`--mat ${options.mat}: no such file; give the path of nyu_depth_v2_labeled.mat`);
      const { convertNyu } = await import("../../data/nyu.js");
      const { openDepthDataset } = await import("../../data/depth-dataset.js");
      const { prepareArtifact, rollBackOnFailure } = await import("../../pipeline/artifact.js");
      const { writeProvenance } = await import("../../pipeline/provenance.js");
      const source = statSync(options.mat);
      const settings = {
        source: "nyu", mat: resolve(options.mat), matBytes: source.size, matModified: source.mtime.toISOString(), ...options.size,
        crop: options.crop, valFraction: options.valFraction, testFraction: options.testFraction, name: options.name,
      };
      // --force replaces only an optocnn data set (manifest.json); any other folder is refused.
      const action = prepareArtifact({
        dir: options.out, stage: "data", settings, policy: mismatchPolicy(options), markers: ["manifest.json"],
        finishedFile: "manifest.json", log: (line) => console.error(line),
      });
      if (action === "reuse") {
        console.log(JSON.stringify((await openDepthDataset(options.out)).manifest, null, 2));
        console.error(`${options.out} already holds this data set (same settings); nothing to do`);
        return;
      }
      const manifest = await rollBackOnFailure(options.out, action, () => false, () =>
        withProgress("nyu", (onProgress) =>
          convertNyu({
            matPath: options.mat, dir: options.out, name: options.name, ...options.size, crop: options.crop,
            valFraction: options.valFraction, testFraction: options.testFraction, overwrite: true, onProgress,
          }),
        ),
      );
      writeProvenance(options.out, "data", settings);
      console.log(JSON.stringify(manifest, null, 2));
    });

  KITTI.addTo(
    data
      .command("kitti")
      .description("convert KITTI depth (raw RGB frames + 16-bit depth PNGs) to a data set at the model size, frames chosen by split files, streaming frame by frame"),
  )
    .requiredOption("--raw <dir>", "KITTI raw data root: <raw>/<date>/<drive>/image_02/data/<frame>.png")
    .requiredOption("--depth <dir>", "depth root (data_depth_annotated): <depth>/{train,val}/<drive>/proj_depth/<kind>/image_02/<frame>.png")
    .requiredOption("--train-split <file>", "frames for training, one per line (Monodepth2 `<date>/<drive> <frame> l|r`, Eigen/BTS image paths, or depth-completion paths)")
    .requiredOption("--val-split <file>", "frames for validation (same formats)")
    .requiredOption("--test-split <file>", "frames for test, e.g. the Eigen test list (same formats)")
    .requiredOption("--out <dir>", "output directory (must not exist unless --force)")
    .option("--size <HxW>", "output size, overriding --preset (centred crop to this aspect ratio, then area resize)")
    .option("--depth-kind <kind>", "groundtruth (data_depth_annotated) or velodyne_raw (data_depth_velodyne)", "groundtruth")
    .option("--skip-missing", "leave out listed frames whose RGB or depth file is absent (counted on stderr) instead of failing")
    .option("--name <name>", "data set name in the manifest (default: directory name)")
    .action(async (raw) => {
      const options = parseOptions(
        z.object({
          raw: z.string().min(1), depth: z.string().min(1), trainSplit: z.string().min(1), valSplit: z.string().min(1), testSplit: z.string().min(1),
          ...KITTI.fields, out: z.string().min(1), size: sizeSchema.optional(),
          depthKind: z.enum(["groundtruth", "velodyne_raw"]), skipMissing: z.boolean().optional(), name: z.string().optional(),
        }),
        raw,
      );
      const { convertKitti } = await import("../../data/kitti.js");
      const { manifest, skipped } = await withProgress("kitti", (onProgress) =>
        convertKitti({
          rawDir: options.raw, depthDir: options.depth, depthKind: options.depthKind,
          splits: { train: options.trainSplit, val: options.valSplit, test: options.testSplit },
          dir: options.out, name: options.name, ...(options.size ?? PRESETS[options.preset].kitti),
          skipMissing: options.skipMissing, overwrite: options.force, onProgress,
        }),
      );
      const left = skipped.train + skipped.val + skipped.test;
      const { reportWarnings } = await import("../warnings.js");
      const { join } = await import("node:path");
      const warnings = await reportWarnings("data kitti", join(options.out, "manifest.json"), [
        left > 0 ? `left out ${left} listed frames without files (train ${skipped.train}, val ${skipped.val}, test ${skipped.test}; --skip-missing)` : null,
      ]);
      console.log(JSON.stringify({ ...manifest, warnings }, null, 2));
    });

  data
    .command("info")
    .description("check a data set directory and print its manifest and per-split depth statistics")
    .argument("<dir>", "data set directory")
    .action(async (dir: string) => {
      const { openDepthDataset } = await import("../../data/depth-dataset.js");
      const dataset = await openDepthDataset(dir);
      const splits = Object.fromEntries(
        (["train", "val", "test"] as const).map((name) => {
          const split = dataset[name];
          let valid = 0;
          let sum = 0;
          for (let i = 0; i < split.count; i++) {
            for (const d of split.get(i).depth_m) if (d > 0) { valid++; sum += d; }
          }
          const pixels = split.count * split.height * split.width;
          return [name, { count: split.count, validFraction: pixels ? +(valid / pixels).toFixed(4) : 0, meanDepth_m: valid ? +(sum / valid).toFixed(3) : null }];
        }),
      );
      console.log(JSON.stringify({ dir: dataset.dir, manifest: dataset.manifest, splits }, null, 2));
    });

  data
    .command("fashion-mnist")
    .description("check the Fashion-MNIST IDX files and print counts per class")
    .option("--dir <dir>", "directory with the IDX files (default: Debian's /usr/share/datasets/fashion-mnist)")
    .action(async (raw) => {
      const options = parseOptions(z.object({ dir: z.string().min(1).optional() }), raw);
      const { loadFashionMnist, FASHION_MNIST_CLASSES } = await import("../../data/fashion-mnist.js");
      const report = Object.fromEntries(
        (["train", "test"] as const).map((split) => {
          const set = loadFashionMnist({ dir: options.dir, split });
          const perClass = Object.fromEntries(FASHION_MNIST_CLASSES.map((name) => [name, 0]));
          for (const label of set.labels) perClass[FASHION_MNIST_CLASSES[label]]++;
          return [split, { count: set.count, perClass }];
        }),
      );
      console.log(JSON.stringify(report, null, 2));
    });
}
