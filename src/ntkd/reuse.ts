import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../io/paths.js";
import { ntkdConfig, type NtkdPresetName } from "./config.js";
import type { NtkdSummary } from "./run.js";

/** The NTKD run of a reproduce preset (runs/<preset>/ntkd): read when finished, else run first. */
export async function ensureNtkdRun(preset: NtkdPresetName): Promise<{ outDir: string; summary: NtkdSummary }> {
  const outDir = join(PROJECT_ROOT, "runs", preset, "ntkd");
  const summaryPath = join(outDir, "summary.json");
  if (existsSync(summaryPath)) return { outDir, summary: JSON.parse(readFileSync(summaryPath, "utf8")) as NtkdSummary };
  const { runNtkd } = await import("./run.js");
  return runNtkd({ outDir, config: ntkdConfig(preset) });
}
