import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { DkoConfig } from "../dko/config.js";
import type { DkoProgress } from "../dko/run.js";
import type { DkoSummary } from "../dko/summary.js";
import { prepareArtifact, type MismatchPolicy } from "./artifact.js";
import { readProvenance, writeProvenance } from "./provenance.js";

export interface DkoStageOptions {
  dir: string;
  stage1Dir: string;
  dataDir: string;
  config: DkoConfig;
  policy: MismatchPolicy;
  onProgress?: (event: DkoProgress) => void;
  log?: (line: string) => void;
}

/**
 * DKO stage 2 on a finished stage-1 run: metasurfaces, realised kernels and the optical network's
 * metrics. A result with the same settings (same stage-1 run, data and DKO config) is reused; an
 * unfinished one (interrupted before its summary) is started again.
 */
export async function dkoStage(options: DkoStageOptions): Promise<{ summary: DkoSummary; reused: boolean }> {
  const { runDko } = await import("../dko/run.js");
  const { readDkoSummary } = await import("../dko/summary.js");
  const { dir } = options;
  const upstream = (d: string) => readProvenance(d)?.hash ?? d;
  const settings = { stage1: upstream(options.stage1Dir), data: upstream(options.dataDir), config: options.config };
  const action = prepareArtifact({
    dir,
    stage: "dko",
    settings,
    policy: options.policy,
    markers: ["summary.json", "params.npy"],
    isFinished: (d) => existsSync(join(d, "summary.json")),
    forceHint: "--force",
    log: options.log,
  });
  if (action === "reuse") return { summary: readDkoSummary(dir), reused: true };
  // Synthesis has no checkpoints: an unfinished result starts again.
  if (action === "resume") rmSync(dir, { recursive: true, force: true });
  writeProvenance(dir, "dko", settings);
  const { summary } = await runDko({ runDir: options.stage1Dir, dataDir: options.dataDir, outDir: dir, config: options.config, onProgress: options.onProgress });
  return { summary, reused: false };
}
