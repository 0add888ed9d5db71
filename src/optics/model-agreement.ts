import type { ComplexOps } from "../engine/complex/complex-ops.js";
import { getComplexOps } from "../engine/complex/select.js";
import { CellAsmWindow } from "./cell-asm-window.js";
import { gaussianSampler } from "./fabrication.js";
import type { WindowKernel } from "./fresnel-window.js";
import { Grid } from "./grid.js";
import { PhaseMetasurface } from "./metasurface.js";
import { SensorWindow } from "./pixel-quadrature.js";
import { createPsfWindowModel } from "./psf-model.js";

/**
 * Agreement of the window model (FresnelWindowOperator + pixel quadrature) with the cell-model angular
 * spectrum (CellAsmWindow) on the same piecewise-constant cells: the check that the PSFs DKO optimises are
 * the ones the optics would form.
 */
export interface WindowGeometry {
  cells: number;
  cellPitch_m: number;
  distance_m: number;
  sensorPitch_m: number;
  /** Fit window side in pixels (twice the kernel). */
  windowPixels: number;
}

/** A paraxial lens focusing `wavelength_m` at `focus_m` on the axis, plus seeded Gaussian phase noise of rms `noise_rad` ([N, N] radians). */
export function focusingPhase(grid: Grid, wavelength_m: number, focus_m: number, noise_rad = 0, seed = 0): Float32Array {
  const N = grid.size;
  const normal = gaussianSampler(seed);
  const out = new Float32Array(N * N);
  for (let r = 0; r < N; r++) {
    for (let c = 0; c < N; c++) {
      const rhoSq = grid.coordinate_m(r) ** 2 + grid.coordinate_m(c) ** 2;
      out[r * N + c] = (-Math.PI * rhoSq) / (wavelength_m * focus_m) + (noise_rad > 0 ? noise_rad * normal() : 0);
    }
  }
  return out;
}

/** values / sum(values): a window's shape, as the unit-sum comparisons use it. */
export function unitSum(values: Float32Array): Float32Array {
  const sum = values.reduce((a, v) => a + v, 0);
  return values.map((v) => v / sum);
}

/** ||a / sum a - b / sum b||^2 / ||b / sum b||^2: the shape error of window a against reference b. */
export function unitSumNmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < b.length; i++) {
    sa += a[i];
    sb += b[i];
  }
  let error = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    error += (a[i] / sa - b[i] / sb) ** 2;
    norm += (b[i] / sb) ** 2;
  }
  return error / norm;
}

/** A window model variant: its kernel and distortion tiles (default 8). */
export interface WindowVariant {
  kernel: WindowKernel;
  distortionTiles?: number;
}

export interface WindowAgreement extends WindowVariant {
  /** Unit-sum NMSE of the model's window against the angular spectrum's. */
  nmse: number;
  /** Model window energy over the angular spectrum's. */
  energyRatio: number;
}

/**
 * The phase map [N, N] through the window model (each variant, `nodesPerPixel` nodes; default the
 * converged count) and through the cell-model angular spectrum (`referenceNodes` nodes, default 6).
 */
export function windowAgreement(
  options: {
    geometry: WindowGeometry;
    wavelength_m: number;
    phase: Float32Array;
    variants: readonly WindowVariant[];
    nodesPerPixel?: number;
    referenceNodes?: number;
  },
  ops: ComplexOps = getComplexOps(),
): { reference: Float32Array; results: WindowAgreement[] } {
  const { geometry, wavelength_m, phase } = options;
  const grid = new Grid(geometry.cells, geometry.cellPitch_m, "metasurface");
  const window = new SensorWindow({ pixels: geometry.windowPixels, pitch_m: geometry.sensorPitch_m, nodesPerPixel: options.referenceNodes ?? 6 });
  const field = { re: phase.map(Math.cos), im: phase.map(Math.sin) };
  const reference = new CellAsmWindow({ grid, wavelength_m, distance_m: geometry.distance_m, window }, ops).energies(field);
  const referenceEnergy = reference.reduce((a, v) => a + v, 0);
  const results = options.variants.map((variant) => {
    const model = createPsfWindowModel(
      { ...geometry, ...variant, wavelengths_m: [wavelength_m], metasurface: new PhaseMetasurface(), subsamplesPerPixel: options.nodesPerPixel, normalisation: "none" },
      ops,
    );
    const psf = model.forward(phase);
    return { ...variant, nmse: unitSumNmse(psf, reference), energyRatio: psf.reduce((a, v) => a + v, 0) / referenceEnergy };
  });
  return { reference, results };
}
