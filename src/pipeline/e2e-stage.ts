import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { E2eSummary, RunE2eOptions } from "../e2e/run.js";
import { prepareArtifact, type MismatchPolicy } from "./artifact.js";
import { readProvenance, writeProvenance } from "./provenance.js";
import { datasetIdentity } from "./stage1-stage.js";

/** runE2e's options, with the run directory handled as an artifact (resume is decided from its provenance). */
export interface E2eStageOptions extends Omit<RunE2eOptions, "runDir" | "resume"> {
  dir: string;
  policy: MismatchPolicy;
  log?: (line: string) => void;
}

export type E2eOutcome = { status: "finished"; summary: E2eSummary; reused: boolean } | { status: "interrupted"; step: number };

/**
 * An E2E run (src/e2e/run.ts): reused when finished with the same settings, resumed from its last
 * checkpoint when interrupted with the same settings; other settings are refused naming each field that
 * differs (or, under the "recompute" policy, replaced). The budget is part of the settings: a longer
 * budget is another run.
 */
export async function e2eStage(options: E2eStageOptions): Promise<E2eOutcome> {
  const { runE2e, readE2eSummary } = await import("../e2e/run.js");
  const { dir } = options;
  const stage1 = options.stage1Dir ? (readProvenance(options.stage1Dir)?.hash ?? options.stage1Dir) : null;
  // The sensor scoring only when asked for, so runs made without it keep their identity.
  const settings = { data: datasetIdentity(options.dataset), stage1, config: options.config, optics: options.optics, e2e: options.settings, budget: options.budget, ...(options.sensorArray ? { sensorArray: options.sensorArray } : {}) };
  const action = prepareArtifact({ dir, stage: "e2e", settings, policy: options.policy, markers: ["config.json", "e2e-summary.json"], finishedFile: "e2e-summary.json", log: options.log });
  if (action === "reuse") return { status: "finished", summary: readE2eSummary(dir)!, reused: true };
  const resume = action === "resume" && existsSync(join(dir, "config.json"));
  if (action === "create") writeProvenance(dir, "e2e", settings);
  let result;
  try {
    result = await runE2e({ ...options, runDir: dir, resume });
  } catch (error) {
    // A run refused before it started (bad stage-1 run, bad budget) leaves nothing behind.
    if (action === "create" && !existsSync(join(dir, "config.json"))) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  if (result.status === "interrupted") return { status: "interrupted", step: result.step };
  return { status: "finished", summary: result.summary!, reused: false };
}
