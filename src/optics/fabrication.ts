import { createRandom } from "../util/random.js";
import type { NanopillarMetasurface } from "./nanopillar-lut.js";

/** Fabrication-error models: seeded, independent Gaussian perturbations per cell. */

/** Standard normal samples (Box-Muller on the project's seeded mulberry32 generator). */
export function gaussianSampler(seed: number): () => number {
  const uniform = createRandom(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const u = 1 - uniform();
    const v = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}

function requireRms(rms: number, field: string): void {
  if (!Number.isFinite(rms) || rms < 0) throw new Error(`${field} must be a finite number >= 0, got ${rms}`);
}

/** Phase maps plus independent errors of rms `rms_rad` per cell. */
export function perturbPhase(phase: Float32Array, rms_rad: number, seed: number): Float32Array {
  requireRms(rms_rad, "rms_rad");
  const normal = gaussianSampler(seed);
  return phase.map((p) => p + rms_rad * normal());
}

/**
 * Nanopillar parameters after radius errors of rms `rms_m` per cell; perturbed radii are clipped to the
 * table's range (a pillar cannot be made outside it) and mapped back to parameters.
 */
export function perturbRadius(params: Float32Array, metasurface: NanopillarMetasurface, rms_m: number, seed: number): Float32Array {
  requireRms(rms_m, "rms_m");
  if (rms_m > 1e-6) throw new Error(`rms_m = ${rms_m} is not a plausible radius error in metres (over 1 um); did you pass nanometres? e.g. 5e-9`);
  const normal = gaussianSampler(seed);
  const { minRadius_m, maxRadius_m } = metasurface.lut;
  return params.map((p) => {
    const radius = Math.min(maxRadius_m, Math.max(minRadius_m, metasurface.radius_m(p) + rms_m * normal()));
    return metasurface.parameter(radius);
  });
}
