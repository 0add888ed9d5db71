import type { SetMetrics } from "../eval/evaluate-depth.js";

/**
 * Below this mean share of its incident light in its kernel window a design is mostly stray light. Measured
 * on the default preset (2026-12-01, sensor-formation AbsRel against 0.2068 electronic): shape-only fits kept
 * 9.4 % and scored 0.2495; with the light term (efficiencyWeight 0.3 / 1) 18.8 % and 0.2231 / 44 % and 0.2096.
 */
export const LOW_KERNEL_EFFICIENCY = 0.2;

/**
 * A warning when the designs put little of their light in their kernel windows: the fit loss's shape term
 * compares unit-sum PSFs over the fit window and cannot see light that leaves it, which the sensor still
 * records as halo and cross-talk; only its light term (`efficiencyWeight`, src/dko/window-loss.ts) can.
 */
export function lightBudgetWarning(meanKernelEfficiency: number, efficiencyWeight: number, kernelOnly: SetMetrics, sensorFormation?: SetMetrics): string | null {
  if (!(meanKernelEfficiency < LOW_KERNEL_EFFICIENCY)) return null;
  const scores = sensorFormation
    ? `; with the sensor's image formation the network scores AbsRel ${sensorFormation.absRel.toFixed(4)} against ${kernelOnly.absRel.toFixed(4)} kernel-only`
    : "; score the sensor's image formation (dko.evaluation.sensorArray) to see what it costs the network";
  const loss =
    efficiencyWeight > 0
      ? `the fit loss's light term (optimiser.efficiencyWeight ${efficiencyWeight}) keeps too little of it: raise the weight (--efficiency-weight)`
      : "the fit loss is shape-only (optimiser.efficiencyWeight 0) and does not see light that leaves the window: give it a light term (--efficiency-weight)";
  return `light budget: the metasurfaces put ${(100 * meanKernelEfficiency).toFixed(1)} % of their light in their kernel windows on average (below ${100 * LOW_KERNEL_EFFICIENCY} %): ${loss}${scores}`;
}
