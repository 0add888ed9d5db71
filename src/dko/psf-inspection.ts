import { PhaseMetasurface } from "../optics/metasurface.js";
import type { DkoDesign } from "./design-files.js";
import type { SensitivityOptions } from "./sensitivity.js";
import { sensorArray, type SensorArray } from "./sensor-array.js";

/**
 * Notebook 04 (PSF inspection; per preset in src/pipeline/presets.ts): which metasurfaces it shows and checks, the
 * array the cross-talk map assumes, and the sensitivity sweeps. Each sweep holds its design point (0 nm,
 * rms 0, levels 0 = continuous), the reference the other settings are read against.
 */
export interface PsfInspectionSettings {
  /**
   * Metasurfaces shown in detail (phase maps, whole-sub-image PSFs): the non-zero ones ranked by fit NMSE,
   * picked at these quantiles of the ranking (0 = best fit, 0.5 = median, 1 = worst).
   */
  detailQuantiles: number[];
  /** Angular-spectrum check: this many non-zero metasurfaces per wavelength, best fits first. */
  asmPerWavelength: number;
  /**
   * The check's reference grid (CellAsmWindow padding and frequency margin; src/dko/asm-check.ts): its
   * defaults (1.5, 0.25) where they are converged, more at small apertures with few Fresnel zones.
   */
  asmReference: { padding: number; frequencyMargin: number };
  /** Gap between neighbouring metasurfaces of the array; the sub-image pitch is the aperture plus it (0: the paper's tiling). */
  arraySpacing_m: number;
  sensitivity: {
    /** Illumination wavelength minus the design wavelength, per metasurface (nm). */
    detunings_nm: number[];
    /** Per-cell fabrication error rms: phase (rad) for phase banks, pillar radius (nm) for nanopillar banks. */
    fabricationPhaseRms_rad: number[];
    fabricationRadiusRms_nm: number[];
    /** One seeded draw per seed at every non-zero rms (mean and spread over them). */
    fabricationSeeds: number[];
    /** Phase levels; 0 = continuous. */
    quantiseLevels: number[];
    /** Test scenes each sweep point scores the network on (the first ones of the test split). */
    testImages: number;
  };
}

/**
 * What notebook 04 inspects, from a preset's `psfInspection` block (src/pipeline/presets.ts): the
 * metasurfaces it shows and checks, the array the cross-talk map assumes, and the sweeps to run.
 */

/** Indices of the non-zero metasurfaces, best fit (lowest NMSE) first. */
export function rankedByFit(design: DkoDesign): number[] {
  return design.summary.kernels
    .filter((kernel) => kernel.active)
    .sort((a, b) => a.nmse - b.nmse || a.index - b.index)
    .map((kernel) => kernel.index);
}

function requireQuantile(q: number): number {
  if (!(q >= 0 && q <= 1)) throw new Error(`psfInspection.detailQuantiles: ${q} is not a quantile in [0, 1]`);
  return q;
}

/**
 * The metasurfaces shown in detail: the fit ranking at each quantile (0 best, 0.5 median, 1 worst),
 * nearest rank, in the order asked and without repeats (a bank with few non-zero parts may map two
 * quantiles to one metasurface).
 */
export function detailMetasurfaces(design: DkoDesign, quantiles: readonly number[]): number[] {
  const ranked = rankedByFit(design);
  if (ranked.length === 0) throw new Error(`${design.dir}: every kernel part is zero, no metasurface to show`);
  const picked = quantiles.map((q) => ranked[Math.round(requireQuantile(q) * (ranked.length - 1))]);
  return [...new Set(picked)];
}

/** The angular-spectrum check's metasurfaces: up to `perWavelength` non-zero ones per wavelength, best fits first. */
export function asmCheckedMetasurfaces(design: DkoDesign, perWavelength: number): number[] {
  if (!(Number.isInteger(perWavelength) && perWavelength >= 1)) throw new Error(`psfInspection.asmPerWavelength must be an integer >= 1, got ${perWavelength}`);
  const perWavelengthLists = new Map<number, number[]>();
  for (const index of rankedByFit(design)) {
    const wavelength_m = design.bank.wavelengths_m[index];
    const list = perWavelengthLists.get(wavelength_m) ?? [];
    if (list.length < perWavelength) list.push(index);
    perWavelengthLists.set(wavelength_m, list);
  }
  return [...perWavelengthLists.values()].flat();
}

/** The sensor array of the cross-talk map: sub-image pitch = metasurface aperture + the preset's spacing. */
export function inspectionArray(design: DkoDesign, settings: PsfInspectionSettings): SensorArray {
  if (!(settings.arraySpacing_m >= 0)) throw new Error(`psfInspection.arraySpacing_m must be >= 0, got ${settings.arraySpacing_m}`);
  const { cells, cellPitch_m } = design.summary.config.optics;
  return sensorArray(design, cells * cellPitch_m + settings.arraySpacing_m);
}

/** The sweeps for this design: phase error rms (rad) for a phase bank, radius error rms (nm) for nanopillars. */
export function inspectionSweeps(design: DkoDesign, settings: PsfInspectionSettings): SensitivityOptions & { fabricationUnit: "rad" | "nm" } {
  const { sensitivity } = settings;
  const phaseBank = design.bank.metasurface instanceof PhaseMetasurface;
  return {
    detunings_nm: sensitivity.detunings_nm,
    fabricationRms: phaseBank ? sensitivity.fabricationPhaseRms_rad : sensitivity.fabricationRadiusRms_nm,
    fabricationUnit: phaseBank ? "rad" : "nm",
    fabricationSeeds: sensitivity.fabricationSeeds,
    quantiseLevels: sensitivity.quantiseLevels,
  };
}
