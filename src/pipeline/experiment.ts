import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { PROJECT_ROOT } from "../io/paths.js";
import type { DepthDataset } from "../data/types.js";
import type { RunSummary } from "../train/run-files.js";

const PresetSchema = z.enum(["tiny", "default", "paper"], {
  message: "OPTOCNN_PRESET must be tiny, default or paper",
});
export type ExperimentPreset = z.infer<typeof PresetSchema>;

/** Where one preset's reproduce run keeps its data and runs, and how large it is. */
export interface Experiment {
  preset: ExperimentPreset;
  dataDir: string;
  stage1Dir: string;
  dkoDir: string;
  figuresDir: string;
  samples: number;
  size: number;
}

const SAMPLES: Record<ExperimentPreset, { samples: number; size: number }> = {
  tiny: { samples: 200, size: 32 },
  default: { samples: 4000, size: 64 },
  paper: { samples: 8000, size: 128 },
};

/** The experiment the notebooks run: OPTOCNN_PRESET (set by `optocnn reproduce --preset`), default "default". */
export function experiment(preset: string = process.env.OPTOCNN_PRESET ?? "default"): Experiment {
  const name = PresetSchema.parse(preset);
  const { samples, size } = SAMPLES[name];
  const runs = join(PROJECT_ROOT, "runs", name);
  return {
    preset: name,
    dataDir: join(PROJECT_ROOT, "data", `synth${size}-${name}`),
    stage1Dir: join(runs, "stage1"),
    dkoDir: join(runs, "dko"),
    figuresDir: join(PROJECT_ROOT, "figures"),
    samples,
    size,
  };
}

/** Opens the experiment's synthetic data set, generating it first when it is not there yet. */
export async function ensureDataset(exp: Experiment): Promise<DepthDataset> {
  const { openDepthDataset } = await import("../data/depth-dataset.js");
  if (!existsSync(join(exp.dataDir, "manifest.json"))) {
    const { generateSyntheticDataset, splitCounts } = await import("../data/synthetic/generate.js");
    await generateSyntheticDataset({ dir: exp.dataDir, height: exp.size, width: exp.size, counts: splitCounts(exp.samples), seed: 1, overwrite: true });
  }
  return openDepthDataset(exp.dataDir);
}

/**
 * Trains (or resumes, or reuses) the stage-1 electronic network of the experiment and returns its summary;
 * re-running a notebook never retrains a finished run.
 */
export async function ensureStage1(exp: Experiment, dataset: DepthDataset): Promise<RunSummary> {
  const { readRunSummary } = await import("../train/run-files.js");
  const done = readRunSummary(exp.stage1Dir);
  if (done) return done;
  const { PRESETS, presetRunConfig } = await import("../models/depth-net-config.js");
  const { trainDepth } = await import("../train/train-depth.js");
  const { latestCheckpointDir } = await import("../train/checkpoint.js");
  const resume = existsSync(exp.stage1Dir) && latestCheckpointDir(exp.stage1Dir) !== null;
  const result = await trainDepth({
    runDir: exp.stage1Dir,
    dataset,
    config: resume ? undefined : presetRunConfig(exp.preset, dataset.manifest),
    budget: resume ? undefined : PRESETS[exp.preset].budget,
    resume,
  });
  result.net.dispose();
  if (!result.summary) throw new Error(`stage-1 training in ${exp.stage1Dir} stopped at step ${result.step} without finishing`);
  return result.summary;
}

/**
 * Runs DKO (stage 2) on the experiment's stage-1 network with the preset's optics, or reuses a finished
 * result; returns its summary (see src/dko/run.ts for the files next to it).
 */
export async function ensureDko(exp: Experiment): Promise<import("../dko/run.js").DkoSummary> {
  const summaryPath = join(exp.dkoDir, "summary.json");
  if (existsSync(summaryPath)) {
    const { readFileSync } = await import("node:fs");
    return JSON.parse(readFileSync(summaryPath, "utf8"));
  }
  const { dkoConfig } = await import("../dko/config.js");
  const { runDko } = await import("../dko/run.js");
  const { rmSync } = await import("node:fs");
  // A run interrupted before its summary left only partial arrays: start it again.
  rmSync(exp.dkoDir, { recursive: true, force: true });
  const { summary } = await runDko({ runDir: exp.stage1Dir, dataDir: exp.dataDir, outDir: exp.dkoDir, config: dkoConfig(exp.preset) });
  return summary;
}
