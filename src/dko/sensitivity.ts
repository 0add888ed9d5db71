import { meanOf, nmse } from "../eval/nmse.js";
import { psfsToKernels } from "../optics/kernels.js";
import { PhaseMetasurface } from "../optics/metasurface.js";
import { createPsfWindowModel } from "../optics/psf-model.js";
import type { DkoDesign } from "./design-files.js";
import { fabricatedParams } from "./fabrication-variants.js";
import type { KernelScorer } from "./kernel-scorer.js";

/**
 * How a DKO design degrades away from the conditions it was optimised for: the illumination wavelength
 * (colour filters pass a band, not one line), per-cell fabrication error, and phase quantisation. Each
 * point re-images the whole bank with the fit model (so the kernels, and the network's AbsRel, follow)
 * and reports the mean PSF fit NMSE over the non-zero metasurfaces.
 */
export type SweepName = "wavelength" | "fabrication" | "quantisation";

export interface SensitivityPoint {
  sweep: SweepName;
  /** Detuning (nm), error rms (rad or nm of radius) or phase levels (0 = continuous). */
  setting: number;
  /** Fabrication draws: the seed; else null. */
  seed: number | null;
  fitNmse: number;
  absRel: number;
}

/** Mean fit NMSE of unit-sum PSF windows [B, M, M] against the design's targets, over the non-zero parts. */
export function meanFitNmse(design: DkoDesign, psfs: Float32Array): number {
  const area = design.bank.windowPixels ** 2;
  const values: number[] = [];
  for (const kernel of design.summary.kernels) {
    if (!kernel.active) continue;
    const range = [kernel.index * area, (kernel.index + 1) * area] as const;
    values.push(nmse(psfs.subarray(...range), design.psfTargets.subarray(...range)));
  }
  return meanOf(values);
}

/**
 * Phase maps a phase metasurface designed at lambda applies at lambda + detuning: a metasurface holds its
 * phase wrapped to [0, 2 pi) as an optical path, so phi(lambda') = wrap(phi) lambda / lambda' (no material
 * dispersion assumed). Nanopillar banks would need the table at the detuned wavelength instead.
 */
export function detunedPhase(design: DkoDesign, detuning_m: number): Float32Array {
  if (!(design.bank.metasurface instanceof PhaseMetasurface)) {
    throw new Error("wavelength detuning is modelled for phase metasurfaces (metasurface: \"phase\"); a nanopillar bank needs its lookup table at the detuned wavelengths");
  }
  const N2 = design.summary.config.optics.cells ** 2;
  const twoPi = 2 * Math.PI;
  const out = new Float32Array(design.params.length);
  design.bank.wavelengths_m.forEach((wavelength_m, b) => {
    const ratio = wavelength_m / (wavelength_m + detuning_m);
    for (let i = b * N2; i < (b + 1) * N2; i++) out[i] = (((design.params[i] % twoPi) + twoPi) % twoPi) * ratio;
  });
  return out;
}

/** Unit-sum fit-window PSFs of the bank's metasurfaces `params` imaged at their wavelengths + detuning_m. */
export function bankPsfs(design: DkoDesign, params: Float32Array, detuning_m = 0): Float32Array {
  const { optics } = design.summary.config;
  const model = createPsfWindowModel({
    cells: optics.cells,
    cellPitch_m: optics.cellPitch_m,
    distance_m: optics.distance_m,
    sensorPitch_m: optics.sensorPitch_m,
    windowPixels: design.bank.windowPixels,
    wavelengths_m: design.bank.wavelengths_m.map((w) => w + detuning_m),
    metasurface: design.bank.metasurface,
    subsamplesPerPixel: design.bank.subsamplesPerPixel,
    normalisation: "unit-sum",
  });
  return model.forward(params);
}

export interface SensitivityOptions {
  detunings_nm: number[];
  /** Phase error rms (rad) for phase banks, radius error rms (nm) for nanopillar banks. */
  fabricationRms: number[];
  fabricationSeeds: number[];
  /** Phase levels; 0 = continuous. Skipped for nanopillar banks (their radii are already discrete). */
  quantiseLevels: number[];
}

export async function sensitivitySweeps(design: DkoDesign, scorer: KernelScorer, options: SensitivityOptions): Promise<SensitivityPoint[]> {
  const points: SensitivityPoint[] = [];
  const measure = async (sweep: SweepName, setting: number, seed: number | null, params: Float32Array, detuning_m = 0) => {
    const psfs = bankPsfs(design, params, detuning_m);
    const kernels = psfsToKernels(design.bank.windows(psfs), design.scales, design.shape);
    const metrics = await scorer.score(kernels, `${sweep} ${setting}${seed === null ? "" : ` seed ${seed}`}`);
    points.push({ sweep, setting, seed, fitNmse: meanFitNmse(design, psfs), absRel: metrics.absRel });
  };
  const phaseBank = design.bank.metasurface instanceof PhaseMetasurface;
  for (const detuning_nm of options.detunings_nm) {
    await measure("wavelength", detuning_nm, null, detuning_nm === 0 ? design.params : detunedPhase(design, detuning_nm * 1e-9), detuning_nm * 1e-9);
  }
  const evaluation = { ...design.summary.config.evaluation, quantiseLevels: undefined };
  for (const rms of options.fabricationRms) {
    const error = phaseBank ? { fabricationRms_rad: rms } : { fabricationRadiusRms_m: rms * 1e-9 };
    // rms 0 needs one draw only: every seed gives the design itself.
    for (const seed of rms === 0 ? [options.fabricationSeeds[0]] : options.fabricationSeeds) {
      await measure("fabrication", rms, seed, fabricatedParams(design.bank, design.params, { ...evaluation, ...error }, { seed }));
    }
  }
  if (phaseBank) {
    for (const levels of options.quantiseLevels) {
      await measure("quantisation", levels, null, levels === 0 ? design.params : fabricatedParams(design.bank, design.params, { ...evaluation, quantiseLevels: levels }));
    }
  }
  return points;
}
