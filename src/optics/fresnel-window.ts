import type { ComplexOps, PlanarComplex } from "../engine/complex/complex-ops.js";
import { getComplexOps } from "../engine/complex/select.js";
import { complexZeros, Grid } from "./grid.js";
import { arithmeticRuns, groupByWavelength, type OpticalOperator } from "./optical-operator.js";
import { nonParaxialPhase_rad, windowModelValidity, type WindowModelValidity } from "./window-validity.js";
import { requireDistance_m, requirePitch_m, requireWavelength_m } from "./units.js";

/**
 * Single-step Fresnel propagation evaluated only on a small observation window, as a matrix Fourier
 * transform: U2 = E (m . U1) E^T with E (M x N) separable in x and y, at a cost of N^2 M + N M^2 complex
 * multiply-adds per field instead of a padded (2N)^2 FFT. The adjoint is conj(m) . (E^H G2 conj(E)).
 *
 * Each metasurface cell is treated as a piecewise-constant patch: E integrates the Fresnel kernel
 * exp(i pi (xi - x)^2 / (lambda z)) over the cell (midpoint rule on sub-cells fine enough that the
 * kernel phase moves by at most pi/12 across one), so the result stays exact when the chirp is
 * undersampled at the cell pitch (e.g. 2.5 um cells at 1 cm, where N dx^2 / lambda > z).
 *
 * The mask m(rho) (one N x N plane per wavelength, an elementwise product) restores what the paraxial
 * kernel drops for a window centred on the optical axis (see WindowKernel): the distance of cell rho to
 * the window centre is sqrt(z^2 + rho^2), not z + rho^2 / (2 z). What stays neglected is the variation of
 * that correction across the window (`windowModelValidity`).
 */
export interface FresnelWindowOptions {
  /** The metasurface grid (N cells at pitch dx). */
  grid: Grid;
  wavelengths_m: readonly number[];
  distance_m: number;
  /**
   * Observation sample positions along x (and the same along y), evenly spaced, in metres from the
   * optical axis; e.g. a SensorWindow's nodeCoordinates_m().
   */
  outputCoordinates_m: Float64Array;
  /** Propagation kernel; default "spherical-phase". */
  kernel?: WindowKernel;
}

/**
 * - "paraxial": single-step Fresnel (the quartic phase k rho^4 / (8 z^3) of the spherical wave dropped);
 * - "spherical-phase": the field is first multiplied by exp(i D(rho)), D = k (sqrt(z^2 + rho^2) - z - rho^2 / (2 z)),
 *   the exact path-length phase from cell rho to the window centre minus the paraxial one;
 * - "rayleigh-sommerfeld": that phase and the amplitude of the Rayleigh-Sommerfeld kernel relative to
 *   Fresnel's, obliquity (z / r) times 1 / r over 1 / z: z^2 / (z^2 + rho^2).
 */
export type WindowKernel = "paraxial" | "spherical-phase" | "rayleigh-sommerfeld";

/** The mask m(rho) of `kernel` at one wavelength on the cell centres (null for the paraxial kernel). */
function kernelMask(grid: Grid, wavelength_m: number, distance_m: number, kernel: WindowKernel): PlanarComplex | null {
  if (kernel === "paraxial") return null;
  const N = grid.size;
  const mask = complexZeros(N * N);
  for (let r = 0; r < N; r++) {
    for (let c = 0; c < N; c++) {
      const rhoSq = grid.coordinate_m(r) ** 2 + grid.coordinate_m(c) ** 2;
      const phase = nonParaxialPhase_rad(Math.sqrt(rhoSq), wavelength_m, distance_m);
      const amplitude = kernel === "rayleigh-sommerfeld" ? distance_m ** 2 / (distance_m ** 2 + rhoSq) : 1;
      mask.re[r * N + c] = amplitude * Math.cos(phase);
      mask.im[r * N + c] = amplitude * Math.sin(phase);
    }
  }
  return mask;
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

/** Items of one masked batch at most, so the masked copy stays ~32 MB whatever the batch (fields are ~8 MB each at N = 1025). */
const MASKED_VALUES = 1 << 22;

type Run = { start: number; step: number; count: number };

/** Splits a run of items into runs of at most `size` items. */
function chunksOf(run: Run, size: number): Run[] {
  const chunks: Run[] = [];
  for (let k = 0; k < run.count; k += size) chunks.push({ start: run.start + k * run.step, step: run.step, count: Math.min(size, run.count - k) });
  return chunks;
}

/** out[k] = mask . x[item k of run] for each item (planes of `plane` values; out holds run.count planes). */
function maskRun(x: PlanarComplex, run: Run, mask: PlanarComplex, plane: number, out: PlanarComplex): void {
  const { re: mr, im: mi } = mask;
  for (let k = 0; k < run.count; k++) {
    const from = (run.start + k * run.step) * plane;
    const to = k * plane;
    for (let i = 0; i < plane; i++) {
      const xr = x.re[from + i];
      const xi = x.im[from + i];
      out.re[to + i] = mr[i] * xr - mi[i] * xi;
      out.im[to + i] = mr[i] * xi + mi[i] * xr;
    }
  }
}

/** x[item k of run] = conj(mask) . x[item k of run], in place. */
function conjugateMaskRunInPlace(x: PlanarComplex, run: Run, mask: PlanarComplex, plane: number): void {
  const { re: mr, im: mi } = mask;
  for (let k = 0; k < run.count; k++) {
    const base = (run.start + k * run.step) * plane;
    for (let i = 0; i < plane; i++) {
      const xr = x.re[base + i];
      const xi = x.im[base + i];
      x.re[base + i] = mr[i] * xr + mi[i] * xi;
      x.im[base + i] = mr[i] * xi - mi[i] * xr;
    }
  }
}

export class FresnelWindowOperator implements OpticalOperator {
  readonly inputSize: number;
  readonly outputSize: number;
  /** Mean spacing of the output samples. */
  readonly outputPitch_m: number;
  readonly wavelengths_m: readonly number[];
  readonly distance_m: number;
  readonly kernel: WindowKernel;
  /** What the kernel neglects at this geometry, with a warning past its measured limit. */
  readonly validity: WindowModelValidity;
  private readonly groups: { wavelength_m: number; items: number[]; e: PlanarComplex; eConj: PlanarComplex; mask: PlanarComplex | null }[];
  private readonly chunkItems: number;
  private maskedScratch: PlanarComplex | null = null;

  constructor(options: FresnelWindowOptions, private readonly ops: ComplexOps = getComplexOps()) {
    const { grid } = options;
    this.distance_m = requireDistance_m(options.distance_m, "distance_m");
    const coordinates = options.outputCoordinates_m;
    if (coordinates.length === 0 || coordinates.some((x) => !Number.isFinite(x))) {
      throw new Error("outputCoordinates_m: give at least one finite position in metres");
    }
    this.outputSize = coordinates.length;
    this.outputPitch_m =
      coordinates.length > 1 ? requirePitch_m((coordinates[coordinates.length - 1] - coordinates[0]) / (coordinates.length - 1), "outputCoordinates_m spacing") : grid.pitch_m;
    if (options.wavelengths_m.length === 0) throw new Error("wavelengths_m: give one wavelength per metasurface");
    options.wavelengths_m.forEach((w, b) => requireWavelength_m(w, `wavelengths_m[${b}]`));
    this.inputSize = grid.size;
    this.wavelengths_m = [...options.wavelengths_m];
    this.kernel = options.kernel ?? "spherical-phase";
    this.validity = windowModelValidity({
      cells: grid.size,
      cellPitch_m: grid.pitch_m,
      distance_m: this.distance_m,
      wavelengths_m: this.wavelengths_m,
      windowHalfWidth_m: coordinates.reduce((a, x) => Math.max(a, Math.abs(x)), 0),
      kernel: this.kernel,
    });
    this.chunkItems = Math.max(1, Math.min(this.wavelengths_m.length, Math.floor(MASKED_VALUES / (grid.size * grid.size))));
    this.groups = groupByWavelength(this.wavelengths_m).map((group) => {
      const e = windowMatrix(grid, coordinates, group.wavelength_m, this.distance_m);
      const eConj = { re: e.re, im: e.im.map((v) => -v) };
      return { ...group, e, eConj, mask: kernelMask(grid, group.wavelength_m, this.distance_m, this.kernel) };
    });
  }

  get batch(): number {
    return this.wavelengths_m.length;
  }

  /** U2_b = E (m . U1_b) E^T: first T = (m . U1) E^T (N x M), then E T. */
  forward(field: PlanarComplex): PlanarComplex {
    const N = this.inputSize;
    const M = this.outputSize;
    const B = this.batch;
    if (field.re.length !== B * N * N) throw new Error(`fresnel window: expected ${B} fields of ${N}x${N}, got ${field.re.length} values`);
    const half = complexZeros(B * N * M);
    const out = complexZeros(B * M * M);
    for (const group of this.groups) {
      for (const run of arithmeticRuns(group.items)) {
        for (const chunk of group.mask ? chunksOf(run, this.chunkItems) : [run]) {
          let input = offset(field, chunk.start * N * N);
          let inputStride = chunk.step * N * N;
          if (group.mask) {
            input = this.scratch();
            inputStride = N * N;
            maskRun(field, chunk, group.mask, N * N, input);
          }
          const common = { batch: chunk.count, accumulate: false };
          this.ops.gemm({
            ...common, m: N, n: M, k: N,
            a: input, b: group.e, c: offset(half, chunk.start * N * M),
            opA: "N", opB: "T", strideA: inputStride, strideB: 0, strideC: chunk.step * N * M,
          });
          this.ops.gemm({
            ...common, m: M, n: M, k: N,
            a: group.e, b: offset(half, chunk.start * N * M), c: offset(out, chunk.start * M * M),
            opA: "N", opB: "N", strideA: 0, strideB: chunk.step * N * M, strideC: chunk.step * M * M,
          });
        }
      }
    }
    return out;
  }

  /** G1_b = conj(m) . (E^H G2_b conj(E)): first S = E^H G2 (N x M), then S conj(E), then the conjugate mask. */
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
        if (group.mask) conjugateMaskRunInPlace(out, run, group.mask, N * N);
      }
    }
    return out;
  }

  /** The masked copy of one chunk of fields, made on first use and reused. */
  private scratch(): PlanarComplex {
    this.maskedScratch ??= complexZeros(this.chunkItems * this.inputSize ** 2);
    return this.maskedScratch;
  }
}

/** A view starting `start` values into a planar array (gemm operands address from index 0). */
function offset(x: PlanarComplex, start: number): PlanarComplex {
  return start === 0 ? x : { re: x.re.subarray(start), im: x.im.subarray(start) };
}
