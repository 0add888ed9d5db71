import type { DepthDataset } from "../data/types.js";
import type { DkoSummary } from "../dko/summary.js";
import type { NtkdSummary } from "../ntkd/run.js";
import type { RunSummary } from "../train/run-files.js";
import type { MismatchPolicy } from "./artifact.js";
import { syntheticDataStage } from "./data-stage.js";
import { compareStage, presetCompareSettings } from "./compare-stage.js";
import type { CompareSummary } from "../e2e/compare.js";
import type { CompareSettings } from "../e2e/config.js";
import { dkoStage } from "./dko-stage.js";
import { presetLayout, type Layout } from "./layout.js";
import { ntkdStage } from "./ntkd-stage.js";
import { presetDkoConfig, presetNtkdConfig, presetRunConfig } from "./preset-configs.js";
import { defaultPresetName, presetNamed, type Preset } from "./presets.js";
import { stage1Stage } from "./stage1-stage.js";

/**
 * A preset's whole pipeline as stages that each reuse their artifact when its settings match (see
 * provenance.ts): the notebooks call these (they recompute a stale artifact and say why), and so do
 * `optocnn pipeline` and `optocnn reproduce`. Every stage runs the stages it needs first.
 */
export interface PresetPipeline {
  preset: Preset;
  layout: Layout;
  data(): Promise<DepthDataset>;
  stage1(): Promise<RunSummary>;
  dko(): Promise<DkoSummary>;
  /** The classification track (independent of the depth stages). */
  ntkd(): Promise<NtkdSummary>;
  /** The equal-budget DKO / E2E comparison (on its own stage-1 runs, one per seed and budget). */
  compare(overrides?: Partial<CompareSettings>, signal?: AbortSignal): Promise<{ summary: CompareSummary; dir: string }>;
}

export function presetPipeline(
  name: string = defaultPresetName(),
  options: { policy?: MismatchPolicy; log?: (line: string) => void; root?: string } = {},
): PresetPipeline {
  const preset = presetNamed(name);
  const layout = presetLayout(preset, options.root);
  const policy = options.policy ?? "recompute";
  const log = options.log ?? ((line: string) => console.log(line));
  let dataset: Promise<DepthDataset> | null = null;
  let stage1: Promise<RunSummary> | null = null;
  let dko: Promise<DkoSummary> | null = null;
  let ntkd: Promise<NtkdSummary> | null = null;
  const pipeline: PresetPipeline = {
    preset,
    layout,
    data: () =>
      (dataset ??= syntheticDataStage({ dir: layout.dataDir, settings: preset.data, policy, log }).then((r) => {
        log(`data: ${r.reused ? "reused" : "generated"} ${layout.dataDir}`);
        return r.dataset;
      })),
    stage1: () =>
      (stage1 ??= pipeline.data().then(async (data) => {
        const outcome = await stage1Stage({
          dir: layout.stage1Dir,
          dataset: data,
          config: presetRunConfig(preset.name, data.manifest),
          budget: preset.stage1.budget,
          policy,
          log,
        });
        if (outcome.status !== "finished") throw new Error(`stage 1 in ${layout.stage1Dir} stopped at step ${outcome.step} without finishing; run again to resume`);
        log(`stage 1: ${outcome.reused ? "reused" : "trained"} ${layout.stage1Dir}`);
        return outcome.summary;
      })),
    dko: () =>
      (dko ??= pipeline.stage1().then(async () => {
        const result = await dkoStage({ dir: layout.dkoDir, stage1Dir: layout.stage1Dir, dataDir: layout.dataDir, config: presetDkoConfig(preset.name), policy, log });
        log(`DKO: ${result.reused ? "reused" : "synthesised"} ${layout.dkoDir}`);
        return result.summary;
      })),
    ntkd: () =>
      (ntkd ??= ntkdStage({ dir: layout.ntkdDir, config: presetNtkdConfig(preset.name), policy, log }).then((result) => {
        log(`NTKD: ${result.reused ? "reused" : "ran"} ${layout.ntkdDir}`);
        return result.summary;
      })),
    compare: async (overrides = {}, signal) => {
      // Bad settings (a budget factor of zero) are refused before anything runs.
      const dir = layout.compareDir(presetCompareSettings(preset.name, overrides).budgetFactors);
      const result = await compareStage({ dir, preset: preset.name, dataset: await pipeline.data(), overrides, policy, log, signal });
      log(`compare: ${result.reused ? "reused" : "ran"} ${dir}`);
      return { summary: result.summary, dir };
    },
  };
  return pipeline;
}
