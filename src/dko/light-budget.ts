import type { SetMetrics } from "../eval/evaluate-depth.js";

/**
 * Below this mean share of its incident light in its kernel window a design is mostly stray light. Measured
 * on the default preset (2026-12-01): designs of lr 0.3 x 80 steps kept 40 % and scored AbsRel 0.2160 with
 * the sensor's image formation (kernel-only 0.2151); the cosine schedule's kept 9.4 % and scored 0.2495
 * (kernel-only 0.2067).
 */
export const LOW_KERNEL_EFFICIENCY = 0.2;

/**
 * A warning when the designs put little of their light in their kernel windows: the fit loss compares
 * unit-sum PSFs over the fit window, so it cannot see light that leaves the window, which the sensor
 * still records as halo and cross-talk.
 */
export function lightBudgetWarning(meanKernelEfficiency: number, kernelOnly: SetMetrics, sensorFormation?: SetMetrics): string | null {
  if (!(meanKernelEfficiency < LOW_KERNEL_EFFICIENCY)) return null;
  const scores = sensorFormation
    ? `; with the sensor's image formation the network scores AbsRel ${sensorFormation.absRel.toFixed(4)} against ${kernelOnly.absRel.toFixed(4)} kernel-only`
    : "; score the sensor's image formation (dko.evaluation.sensorArray) to see what it costs the network";
  return (
    `light budget: the metasurfaces put ${(100 * meanKernelEfficiency).toFixed(1)} % of their light in their kernel windows on average ` +
    `(below ${100 * LOW_KERNEL_EFFICIENCY} %): the fit loss compares unit-sum PSFs over the fit window and does not see light that leaves it${scores}`
  );
}
