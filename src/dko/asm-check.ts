import type { ComplexOps } from "../engine/complex/complex-ops.js";
import { getComplexOps } from "../engine/complex/select.js";
import { CellAsmWindow } from "../optics/cell-asm-window.js";
import { complexZeros, Grid } from "../optics/grid.js";
import { unitSum, unitSumNmse } from "../optics/model-agreement.js";
import { SensorWindow } from "../optics/pixel-quadrature.js";
import { createPsfWindowModel } from "../optics/psf-model.js";
import { windowModelValidity, type WindowKernel } from "../optics/window-validity.js";
import type { DkoDesign } from "./design-files.js";

/**
 * An independent check of final designs: each metasurface's fit window recomputed by the band-limited
 * angular spectrum of the same piecewise-constant cells (CellAsmWindow: exact scalar diffraction, the
 * cell's sinc spectrum included) next to the window model stage 2 optimised (the matrix Fourier transform
 * with the Rayleigh-Sommerfeld corrections, src/optics/fresnel-window.ts). Both integrate the intensity
 * over the sensor pixels and treat a cell the same way, so their difference is the propagation model's
 * alone. The single-step paraxial Fresnel window of the same cells is checked beside it, to show what
 * the non-paraxial terms are worth at the design's geometry.
 */
export const ASM_CELL_MODEL = "piecewise-constant cells";
/** The reference propagator, named as figures and tables name it. */
export const ASM_REFERENCE = "band-limited angular spectrum (CellAsmWindow)";

/**
 * Gauss-Legendre nodes per pixel of the reference: 6, as `optocnn validate-optics --full` uses, so its
 * own quadrature error is well below what is measured (the window model converges with 4 at the DKO
 * geometries, see convergedSubsamples). Never fewer than the design's own count.
 */
export const ASM_REFERENCE_NODES_PER_PIXEL = 6;

/**
 * The reference's numerical settings (CellAsmWindow): FFT grid padding and frequency margin. Its defaults
 * (1.5, 0.25) are converged at the default and paper geometries: doubling both moved the 14 x 14 window by
 * NMSE 4e-8 and 5e-10 on lens-plus-noise designs, and by 8e-8 .. 1.3e-6 on the 96 fitted designs of a
 * default run, whose window-model NMSE was 2.6e-6 .. 2.2e-5. Not at small apertures with few Fresnel
 * zones: on the 24 fitted tiny designs the reference moved by up to 3.6e-5 (their NMSE 5e-6 .. 4e-5),
 * fitted designs scattering light the padded grid wraps around. Each check therefore reports how far the
 * reference moves when both double; the presets set them (psfInspection.asmReference).
 */
export interface AsmReferenceSettings {
  padding: number;
  frequencyMargin: number;
}

export const CELL_ASM_DEFAULTS: AsmReferenceSettings = { padding: 1.5, frequencyMargin: 0.25 };

export interface AsmCheck {
  index: number;
  wavelength_m: number;
  /** Unit-sum NMSE of stage 2's window model against the cell-model angular spectrum over the fit window. */
  nmse: number;
  /** Light the window model puts in the fit window over the angular spectrum's (1 = the same energy). */
  energyRatio: number;
  /** The same NMSE for the single-step paraxial (Fresnel) window of the same cells. */
  paraxialNmse: number;
  /**
   * Unit-sum NMSE between the reference and the reference with padding and frequency margin doubled (its grid
   * rounded up to a fast FFT length): its own numerical error, to be well below `nmse` for the check to
   * resolve the window model's error.
   */
  referenceChange: number;
  /** Unit-sum windows [M, M]: stage 2's model and the angular spectrum. */
  windowModel: Float32Array;
  asm: Float32Array;
}

/** What the comparison used: the models and the quadrature on each side. */
export interface AsmCheckSetup {
  /** How both sides model a cell (ASM_CELL_MODEL) and what the reference is (ASM_REFERENCE). */
  cellModel: string;
  reference: string;
  referenceSettings: AsmReferenceSettings;
  /** Stage 2's window kernel and distortion tiles (its summary's validity record). */
  windowKernel: WindowKernel;
  distortionTiles: number;
  windowNodesPerPixel: number;
  referenceNodesPerPixel: number;
}

export function asmCheckSetup(design: DkoDesign, referenceSettings: AsmReferenceSettings = CELL_ASM_DEFAULTS, referenceNodesPerPixel = ASM_REFERENCE_NODES_PER_PIXEL): AsmCheckSetup {
  if (!(referenceSettings.padding >= 1 && referenceSettings.frequencyMargin >= 0)) {
    throw new Error(`ASM reference: padding must be >= 1 and frequencyMargin >= 0, got ${JSON.stringify(referenceSettings)}`);
  }
  return {
    cellModel: ASM_CELL_MODEL,
    reference: ASM_REFERENCE,
    referenceSettings: { ...referenceSettings },
    windowKernel: design.bank.validity.kernel,
    distortionTiles: design.bank.validity.distortionTiles,
    windowNodesPerPixel: design.bank.subsamplesPerPixel,
    referenceNodesPerPixel: Math.max(referenceNodesPerPixel, design.bank.subsamplesPerPixel),
  };
}

/**
 * Phase the paraxial kernel drops at the aperture edge, k a^4 / (8 z^3), and the largest phase stage 2's
 * kernel still neglects there (src/optics/window-validity.ts), at one wavelength.
 */
export function neglectedPhases_rad(design: DkoDesign, wavelength_m: number): { paraxial: number; windowModel: number } {
  const { optics } = design.summary.config;
  const { kernel, distortionTiles } = design.bank.validity;
  const validity = windowModelValidity({ ...optics, wavelengths_m: [wavelength_m], windowHalfWidth_m: (design.bank.windowPixels * optics.sensorPitch_m) / 2, kernel, distortionTiles });
  return { paraxial: validity.quarticPhaseEdge_rad, windowModel: validity.residualPhaseEdge_rad };
}

/**
 * The check for metasurfaces `indices` of the design, in that order. The references are built once per
 * wavelength (the metasurfaces are taken wavelength by wavelength, so only one wavelength's are held).
 */
export function asmCheck(design: DkoDesign, indices: number[], setup: AsmCheckSetup = asmCheckSetup(design), ops: ComplexOps = getComplexOps()): AsmCheck[] {
  const { optics } = design.summary.config;
  const N = optics.cells;
  const grid = new Grid(N, optics.cellPitch_m, "metasurface");
  const window = new SensorWindow({ pixels: design.bank.windowPixels, pitch_m: optics.sensorPitch_m, nodesPerPixel: setup.referenceNodesPerPixel });
  const { padding, frequencyMargin } = setup.referenceSettings;
  const results = new Map<number, AsmCheck>();
  for (const wavelength_m of [...new Set(indices.map((b) => design.bank.wavelengths_m[b]))]) {
    const options = { grid, wavelength_m, distance_m: optics.distance_m, window };
    const reference = new CellAsmWindow({ ...options, padding, frequencyMargin }, ops);
    // Its own change when both double (the grid rounded up to a fast FFT length: the check's costliest transform).
    const refined = new CellAsmWindow({ ...options, padding: 2 * padding, frequencyMargin: 2 * frequencyMargin, fastFftLength: true }, ops);
    const paraxialModel = createPsfWindowModel(
      { ...optics, windowPixels: design.bank.windowPixels, wavelengths_m: [wavelength_m], metasurface: design.bank.metasurface, subsamplesPerPixel: design.bank.subsamplesPerPixel, normalisation: "none", kernel: "paraxial" },
      ops,
    );
    for (const index of indices.filter((b) => design.bank.wavelengths_m[b] === wavelength_m)) {
      if (results.has(index)) continue;
      const params = design.params.subarray(index * N * N, (index + 1) * N * N);
      // The field behind the metasurface: its transmission over the whole square aperture (as stage 2 has it).
      const field = complexZeros(N * N);
      design.bank.metasurface.forWavelength(wavelength_m, ops).transmission(params, field);
      const asm = reference.energies(field);
      const asmEnergy = asm.reduce((a, v) => a + v, 0);
      if (!(asmEnergy > 0)) throw new Error(`ASM check: metasurface ${index}'s fit window receives no light in the angular spectrum`);
      // Stage 2's window model on the same parameters, unnormalised (pixel energies in the reference's units).
      const windowModel = design.bank.model("none", design.bank.metasurface, [index]).forward(params);
      results.set(index, {
        index,
        wavelength_m,
        nmse: unitSumNmse(windowModel, asm),
        energyRatio: windowModel.reduce((a, v) => a + v, 0) / asmEnergy,
        paraxialNmse: unitSumNmse(paraxialModel.forward(params), asm),
        referenceChange: unitSumNmse(asm, refined.energies(field)),
        windowModel: unitSum(windowModel),
        asm: unitSum(asm),
      });
    }
  }
  return indices.map((index) => results.get(index)!);
}
