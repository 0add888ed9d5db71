import { perturbPhase, perturbRadius } from "../optics/fabrication.js";
import { quantisePhase } from "../optics/metasurface.js";
import { NanopillarMetasurface } from "../optics/nanopillar-lut.js";
import type { DkoEvaluation } from "./config.js";
import type { OpticsBank } from "./optics-bank.js";

/**
 * The parameters a fabricated bank actually has: the design, rounded to `quantiseLevels` phase levels
 * when given (nominal), then with one seeded draw of per-cell fabrication error when `draw` is given.
 * Both phase variants are evaluated with the ideal phase model (the rounding is applied here).
 */
export function fabricatedParams(bank: OpticsBank, design: Float32Array, evaluation: DkoEvaluation, draw?: { seed: number }): Float32Array {
  const nominal = evaluation.quantiseLevels !== undefined ? quantisePhase(design, evaluation.quantiseLevels) : design;
  if (!draw) return nominal;
  if (bank.metasurface instanceof NanopillarMetasurface) return perturbRadius(nominal, bank.metasurface, evaluation.fabricationRadiusRms_m ?? 0, draw.seed);
  return perturbPhase(nominal, evaluation.fabricationRms_rad ?? 0, draw.seed);
}

/** Whether fabrication-error draws are requested. */
export function hasFabricationError(evaluation: DkoEvaluation): boolean {
  return (evaluation.fabricationRms_rad ?? 0) > 0 || (evaluation.fabricationRadiusRms_m ?? 0) > 0;
}
