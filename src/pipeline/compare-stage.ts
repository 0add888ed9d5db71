import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { DepthDataset } from "../data/types.js";
import type { CompareSummary } from "../e2e/compare.js";
import type { DkoConfig } from "../dko/config.js";
import { CompareSettingsSchema, parseSettings, type CompareSettings } from "../e2e/config.js";
import { prepareArtifact, type MismatchPolicy } from "./artifact.js";
import { presetDkoConfig, presetRunConfig, presetSensorArraySettings } from "./preset-configs.js";
import { PRESETS, type PresetName } from "./presets.js";
import { writeProvenance } from "./provenance.js";
import { datasetIdentity } from "./stage1-stage.js";

export interface CompareStageOptions {
  dir: string;
  preset: PresetName;
  dataset: DepthDataset;
  /** The preset's compare settings with these fields replaced (e.g. the notebook's budget factors). */
  overrides?: Partial<CompareSettings>;
  policy: MismatchPolicy;
  log?: (line: string) => void;
  /** Stops the unit in progress (throws CompareInterrupted); the finished units are kept for the rerun. */
  signal?: AbortSignal;
}

/** A preset's compare settings with overrides, validated (errors name the field, e.g. "compare.budgetFactors.0"). */
export function presetCompareSettings(preset: PresetName, overrides: Partial<CompareSettings> = {}): CompareSettings {
  const { notebookBudgetFactors, ...compare } = PRESETS[preset].compare;
  void notebookBudgetFactors; // the notebook passes them as overrides
  return parseSettings(CompareSettingsSchema, { ...compare, ...overrides }, "compare");
}

/**
 * The comparison scores every method with the kernel model E2E trains on; the sensor's image formation
 * (minutes per design at the default preset, outside either budget) only when compare.sensorArray asks,
 * with the preset's settings for it (or the defaults).
 */
function withSensorScoring(config: DkoConfig, preset: PresetName, sensor: boolean): DkoConfig {
  const evaluation = { ...config.evaluation };
  if (sensor) evaluation.sensorArray = presetSensorArraySettings(preset);
  else delete evaluation.sensorArray;
  return { ...config, evaluation };
}

/**
 * The equal-budget comparison of a preset (src/e2e/compare.ts): reused when finished with the same
 * settings; an unfinished one keeps its finished units (a budget of a seed) and runs the others again
 * (a unit's timings must come from one process).
 */
export async function compareStage(options: CompareStageOptions): Promise<{ summary: CompareSummary; reused: boolean }> {
  const { runCompare } = await import("../e2e/compare.js");
  const { readFileSync } = await import("node:fs");
  const preset = PRESETS[options.preset];
  const settings = presetCompareSettings(options.preset, options.overrides);
  const dkoConfig = (seed: number, steps: number) => withSensorScoring(presetDkoConfig(options.preset, { optimiser: { steps, seed }, evaluation: { finetuneSteps: 0 } }), options.preset, settings.sensorArray ?? false);
  const runConfig = (seed: number) => presetRunConfig(options.preset, options.dataset.manifest, { seed });
  const e2e = preset.e2e.settings;
  const recorded = { data: datasetIdentity(options.dataset), compare: settings, e2e, dko: dkoConfig(0, settings.dkoSteps), stage1: runConfig(0) };
  const { dir } = options;
  const action = prepareArtifact({ dir, stage: "compare", settings: recorded, policy: options.policy, markers: ["summary.json", "seed-" + settings.seeds[0]], finishedFile: "summary.json", log: options.log });
  if (action === "reuse") return { summary: JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as CompareSummary, reused: true };
  if (action === "create") writeProvenance(dir, "compare", recorded);
  try {
    const summary = await runCompare({ outDir: dir, dataset: options.dataset, settings, runConfig, dkoConfig, e2e, log: options.log, signal: options.signal });
    return { summary, reused: false };
  } catch (error) {
    // Refused before any run started (bad settings): leave nothing behind.
    if (!existsSync(join(dir, `seed-${settings.seeds[0]}`))) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

