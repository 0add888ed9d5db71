import { nmse } from "../eval/nmse.js";
import { createFullFieldPsfModel } from "../optics/psf-model.js";
import type { DkoDesign } from "./design-files.js";

/**
 * An independent check of final designs: the fit window recomputed by band-limited angular-spectrum
 * propagation of the sampled transmission (no paraxial approximation) next to the Fresnel window model
 * that stage 2 optimised. Both are unit-sum over the fit window. The two models also treat cells
 * differently (ASM: point samples; the window model: piecewise-constant cells), so part of a difference
 * is the cell's sinc envelope, not the paraxial error (see the optics notes, checks 13 and 14).
 */
export interface AsmCheck {
  index: number;
  wavelength_m: number;
  /** NMSE of the Fresnel window against the ASM window. */
  nmse: number;
  fresnel: Float32Array;
  asm: Float32Array;
}

/** Phase the paraxial (Fresnel) model neglects at the aperture corner, k rho^4 / (8 z^3), for one wavelength. */
export function paraxialCornerPhase_rad(design: DkoDesign, wavelength_m: number): number {
  const { cells, cellPitch_m, distance_m } = design.summary.config.optics;
  const rho_m = (cells * cellPitch_m) / Math.SQRT2;
  return ((2 * Math.PI) / wavelength_m) * rho_m ** 4 / (8 * distance_m ** 3);
}

export function asmCheck(design: DkoDesign, indices: number[], padding = 2): AsmCheck[] {
  const { optics } = design.summary.config;
  const N = optics.cells;
  const M = design.bank.windowPixels;
  return indices.map((index) => {
    const wavelength_m = design.bank.wavelengths_m[index];
    const model = createFullFieldPsfModel({
      cells: N,
      cellPitch_m: optics.cellPitch_m,
      distance_m: optics.distance_m,
      wavelengths_m: [wavelength_m],
      metasurface: design.bank.metasurface,
      method: "asm",
      padding,
      sensorPitch_m: optics.sensorPitch_m,
      windowPixels: M,
      normalisation: "unit-sum",
    });
    const asm = model.forward(design.params.slice(index * N * N, (index + 1) * N * N));
    const fresnel = design.psfs.slice(index * M * M, (index + 1) * M * M);
    return { index, wavelength_m, nmse: nmse(fresnel, asm), fresnel, asm };
  });
}
