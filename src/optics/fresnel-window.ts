import type { ComplexOps, PlanarComplex } from "../engine/complex/complex-ops.js";
import { getComplexOps } from "../engine/complex/select.js";
import { complexZeros, Grid } from "./grid.js";
import { arithmeticRuns, groupByWavelength, type OpticalOperator } from "./optical-operator.js";
import { requireDistance_m, requirePitch_m, requirePositiveInteger, requireWavelength_m } from "./units.js";

/**
 * Single-step Fresnel propagation evaluated only on a small observation window, as a matrix Fourier
 * transform: U2 = E U1 E^T with E (M x N) separable in x and y, at a cost of N^2 M + N M^2 complex
 * multiply-adds per field instead of a padded (2N)^2 FFT. The adjoint is E^H G2 conj(E).
 *
 * Each metasurface cell is treated as a piecewise-constant patch: E integrates the Fresnel kernel
 * exp(i pi (xi - x)^2 / (lambda z)) over the cell (midpoint rule on sub-cells fine enough that the
 * kernel phase moves by at most pi/12 across one), so the result stays exact when the chirp is
 * undersampled at the cell pitch (e.g. 2.5 um cells at 1 cm, where N dx^2 / lambda > z).
 *
 * Paraxial limit: the neglected quartic term of the exact distance is k rho^4 / (8 z^3) at the aperture
 * edge (rho = N dx / 2); `paraxialPhaseError_rad` reports it. Validate designs with the angular spectrum
 * path when it is large.
 */
export interface FresnelWindowOptions {
  /** The metasurface grid (N cells at pitch dx). */
  grid: Grid;
  wavelengths_m: readonly number[];
  distance_m: number;
  /**
   * Observation sample positions along x (and the same along y), evenly spaced, in metres from the
   * optical axis; e.g. `sensorSampleCoordinates_m` for sub-samples of sensor pixels.
   */
  outputCoordinates_m: Float64Array;
}

/**
 * Positions of `subsamples` evenly spaced samples inside each of `pixels` sensor pixels, pixel j centred
 * at (j - floor(pixels / 2)) * sensorPitch_m (the grid centre convention); sample pitch sensorPitch_m / subsamples.
 */
export function sensorSampleCoordinates_m(pixels: number, sensorPitch_m: number, subsamples: number): Float64Array {
  requirePositiveInteger(pixels, "windowPixels");
  requirePositiveInteger(subsamples, "subsamplesPerPixel");
  requirePitch_m(sensorPitch_m, "sensorPitch_m");
  const out = new Float64Array(pixels * subsamples);
  for (let j = 0; j < pixels; j++) {
    for (let s = 0; s < subsamples; s++) {
      out[j * subsamples + s] = (j - Math.floor(pixels / 2) + (s + 0.5) / subsamples - 0.5) * sensorPitch_m;
    }
  }
  return out;
}

/** Sub-cells per metasurface cell so the kernel phase moves at most pi/12 across one. */
function subcellsPerCell(grid: Grid, outputCoordinates_m: Float64Array, wavelength_m: number, distance_m: number): number {
  const farthestOutput_m = outputCoordinates_m.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
  const reach_m = (grid.size / 2 + 1) * grid.pitch_m + farthestOutput_m;
  const phaseStepPerCell = (2 * Math.PI * reach_m * grid.pitch_m) / (wavelength_m * distance_m);
  return Math.max(1, Math.ceil(phaseStepPerCell / (Math.PI / 12)));
}

/** E[m, n] = (1 / sqrt(lambda z)) * integral over cell n of exp(i pi (xi - x_m)^2 / (lambda z)) d xi. */
function windowMatrix(grid: Grid, outputCoordinates_m: Float64Array, wavelength_m: number, distance_m: number): PlanarComplex {
  const N = grid.size;
  const M = outputCoordinates_m.length;
  const subcells = subcellsPerCell(grid, outputCoordinates_m, wavelength_m, distance_m);
  const weight = grid.pitch_m / subcells / Math.sqrt(wavelength_m * distance_m);
  const e = complexZeros(M * N);
  for (let m = 0; m < M; m++) {
    const x = outputCoordinates_m[m];
    for (let n = 0; n < N; n++) {
      const cellCentre = grid.coordinate_m(n);
      let re = 0;
      let im = 0;
      for (let q = 0; q < subcells; q++) {
        const xi = cellCentre + ((q + 0.5) / subcells - 0.5) * grid.pitch_m;
        const phase = (Math.PI * (xi - x) * (xi - x)) / (wavelength_m * distance_m);
        re += Math.cos(phase);
        im += Math.sin(phase);
      }
      e.re[m * N + n] = weight * re;
      e.im[m * N + n] = weight * im;
    }
  }
  return e;
}

export class FresnelWindowOperator implements OpticalOperator {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly outputPitch_m: number;
  readonly wavelengths_m: readonly number[];
  readonly distance_m: number;
  /** k rho^4 / (8 z^3) at the aperture edge for the shortest wavelength: the phase the paraxial model neglects. */
  readonly paraxialPhaseError_rad: number;
  private readonly groups: { wavelength_m: number; items: number[]; e: PlanarComplex; eConj: PlanarComplex }[];

  constructor(options: FresnelWindowOptions, private readonly ops: ComplexOps = getComplexOps()) {
    const { grid } = options;
    this.distance_m = requireDistance_m(options.distance_m, "distance_m");
    const coordinates = options.outputCoordinates_m;
    if (coordinates.length === 0 || coordinates.some((x) => !Number.isFinite(x))) {
      throw new Error("outputCoordinates_m: give at least one finite position in metres");
    }
    this.outputSize = coordinates.length;
    this.outputPitch_m = coordinates.length > 1 ? requirePitch_m(coordinates[1] - coordinates[0], "outputCoordinates_m spacing") : grid.pitch_m;
    if (options.wavelengths_m.length === 0) throw new Error("wavelengths_m: give one wavelength per metasurface");
    options.wavelengths_m.forEach((w, b) => requireWavelength_m(w, `wavelengths_m[${b}]`));
    this.inputSize = grid.size;
    this.wavelengths_m = [...options.wavelengths_m];
    const rho = grid.extent_m / 2;
    const shortest = Math.min(...this.wavelengths_m);
    this.paraxialPhaseError_rad = ((2 * Math.PI) / shortest) * rho ** 4 / (8 * this.distance_m ** 3);
    this.groups = groupByWavelength(this.wavelengths_m).map((group) => {
      const e = windowMatrix(grid, coordinates, group.wavelength_m, this.distance_m);
      const eConj = { re: e.re, im: e.im.map((v) => -v) };
      return { ...group, e, eConj };
    });
  }

  get batch(): number {
    return this.wavelengths_m.length;
  }

  /** U2_b = E U1_b E^T: first T = U1 E^T (N x M), then E T. */
  forward(field: PlanarComplex): PlanarComplex {
    const N = this.inputSize;
    const M = this.outputSize;
    const B = this.batch;
    if (field.re.length !== B * N * N) throw new Error(`fresnel window: expected ${B} fields of ${N}x${N}, got ${field.re.length} values`);
    const half = complexZeros(B * N * M);
    const out = complexZeros(B * M * M);
    for (const group of this.groups) {
      for (const run of arithmeticRuns(group.items)) {
        const common = { batch: run.count, accumulate: false };
        this.ops.gemm({
          ...common, m: N, n: M, k: N,
          a: offset(field, run.start * N * N), b: group.e, c: offset(half, run.start * N * M),
          opA: "N", opB: "T", strideA: run.step * N * N, strideB: 0, strideC: run.step * N * M,
        });
        this.ops.gemm({
          ...common, m: M, n: M, k: N,
          a: group.e, b: offset(half, run.start * N * M), c: offset(out, run.start * M * M),
          opA: "N", opB: "N", strideA: 0, strideB: run.step * N * M, strideC: run.step * M * M,
        });
      }
    }
    return out;
  }

  /** G1_b = E^H G2_b conj(E): first S = E^H G2 (N x M), then S conj(E). */
  adjoint(gradient: PlanarComplex, out: PlanarComplex = complexZeros(this.batch * this.inputSize ** 2)): PlanarComplex {
    const N = this.inputSize;
    const M = this.outputSize;
    const B = this.batch;
    if (gradient.re.length !== B * M * M) throw new Error(`fresnel window adjoint: expected ${B} planes of ${M}x${M}, got ${gradient.re.length} values`);
    if (out.re.length !== B * N * N || out.im.length !== B * N * N) throw new Error(`fresnel window adjoint: out must hold ${B} fields of ${N}x${N}`);
    const half = complexZeros(B * N * M);
    for (const group of this.groups) {
      for (const run of arithmeticRuns(group.items)) {
        const common = { batch: run.count, accumulate: false };
        this.ops.gemm({
          ...common, m: N, n: M, k: M,
          a: group.e, b: offset(gradient, run.start * M * M), c: offset(half, run.start * N * M),
          opA: "C", opB: "N", strideA: 0, strideB: run.step * M * M, strideC: run.step * N * M,
        });
        this.ops.gemm({
          ...common, m: N, n: N, k: M,
          a: offset(half, run.start * N * M), b: group.eConj, c: offset(out, run.start * N * N),
          opA: "N", opB: "N", strideA: run.step * N * M, strideB: 0, strideC: run.step * N * N,
        });
      }
    }
    return out;
  }
}

/** A view starting `start` values into a planar array (gemm operands address from index 0). */
function offset(x: PlanarComplex, start: number): PlanarComplex {
  return start === 0 ? x : { re: x.re.subarray(start), im: x.im.subarray(start) };
}
