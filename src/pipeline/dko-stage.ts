import { existsSync } from "node:fs";
import { join } from "node:path";
import type { DkoConfig } from "../dko/config.js";
import type { DkoProgress } from "../dko/run.js";
import type { DkoSummary } from "../dko/summary.js";
import { SYNTHESIS_CHECKPOINT_DIR } from "../dko/synthesis-checkpoint.js";
import { prepareArtifact, rollBackOnFailure, type MismatchPolicy } from "./artifact.js";
import { readProvenance, writeProvenance } from "./provenance.js";

export interface DkoStageOptions {
  dir: string;
  stage1Dir: string;
  dataDir: string;
  config: DkoConfig;
  policy: MismatchPolicy;
  onProgress?: (event: DkoProgress) => void;
  log?: (line: string) => void;
  /** Stops the synthesis with a checkpoint (throws SynthesisInterrupted); the same call later resumes it. */
  signal?: AbortSignal;
}

/**
 * DKO stage 2 on a finished stage-1 run: metasurfaces, realised kernels and the optical network's
 * metrics. A result with the same settings (same stage-1 run, data and DKO config) is reused; an
 * unfinished one (interrupted before its summary) resumes from its synthesis checkpoint.
 */
export async function dkoStage(options: DkoStageOptions): Promise<{ summary: DkoSummary; reused: boolean }> {
  const { runDko } = await import("../dko/run.js");
  const { readDkoSummary, DKO_SUMMARY_FORMAT } = await import("../dko/summary.js");
  const { dkoLogLines } = await import("../dko/stage-log.js");
  const { dir } = options;
  const upstream = (d: string) => readProvenance(d)?.hash ?? d;
  // The summary's format is part of the settings: a result an older optocnn wrote is recomputed, not misread.
  const settings = { stage1: upstream(options.stage1Dir), data: upstream(options.dataDir), config: options.config, format: DKO_SUMMARY_FORMAT };
  const action = prepareArtifact({ dir, stage: "dko", settings, policy: options.policy, markers: ["summary.json", "params.npy"], finishedFile: "summary.json", log: options.log });
  const report = (summary: DkoSummary) => {
    for (const line of dkoLogLines(summary)) options.log?.(line);
    return summary;
  };
  if (action === "reuse") return { summary: report(readDkoSummary(dir)), reused: true };
  const { summary } = await rollBackOnFailure(dir, action, (d) => existsSync(join(d, SYNTHESIS_CHECKPOINT_DIR)), () => {
    if (action === "create") writeProvenance(dir, "dko", settings);
    return runDko({ runDir: options.stage1Dir, dataDir: options.dataDir, outDir: dir, config: options.config, onProgress: options.onProgress, signal: options.signal });
  });
  return { summary: report(summary), reused: false };
}
