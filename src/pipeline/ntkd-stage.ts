import type { NtkdConfig } from "../ntkd/config.js";
import type { NtkdProgress, NtkdSummary } from "../ntkd/run.js";
import { prepareArtifact, type MismatchPolicy } from "./artifact.js";
import { writeProvenance } from "./provenance.js";

export interface NtkdStageOptions {
  dir: string;
  config: NtkdConfig;
  policy: MismatchPolicy;
  onProgress?: (event: NtkdProgress) => void;
  log?: (line: string) => void;
  /** Stops at the next training step (throws NtkdInterrupted); the finished seeds are kept for the rerun. */
  signal?: AbortSignal;
}

/**
 * NTKD: teachers, optical students in every mode, the accuracy estimate and the fabrication study. A
 * finished run with the same settings is reused; an unfinished one (no summary) resumes from the units
 * (estimates, seeds) it finished.
 */
export async function ntkdStage(options: NtkdStageOptions): Promise<{ outDir: string; summary: NtkdSummary; reused: boolean }> {
  const { runNtkd, readNtkdSummary } = await import("../ntkd/run.js");
  const { dir, config } = options;
  const action = prepareArtifact({ dir, stage: "ntkd", settings: config, policy: options.policy, markers: ["summary.json"], finishedFile: "summary.json", log: options.log });
  if (action === "reuse") return { outDir: dir, summary: readNtkdSummary(dir), reused: true };
  writeProvenance(dir, "ntkd", config);
  const { outDir, summary } = await runNtkd({ outDir: dir, config, onProgress: options.onProgress, signal: options.signal, log: options.log });
  return { outDir, summary, reused: false };
}
