import type { ComplexOps, PhaseUpdate, PlanarComplex } from "../engine/complex/complex-ops.js";
import { lowRankFactors, rankWithin, singularBasis } from "../engine/complex/low-rank.js";
import { getComplexOps } from "../engine/complex/select.js";
import { BoundedMemo } from "../util/bounded-memo.js";
import { complexZeros, Grid } from "./grid.js";
import { arithmeticRuns, groupByWavelength, type OpticalOperator, type PhaseInputTransform } from "./optical-operator.js";
import { nonParaxialPhase_rad, windowModelValidity, type WindowKernel, type WindowModelValidity } from "./window-validity.js";
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
 * the window centre is sqrt(z^2 + rho^2), not z + rho^2 / (2 z). Its variation across the window, to
 * first order the distortion -h(rho) (xi x + eta y) with h = k (1 / sqrt(z^2 + rho^2) - 1 / z), is not
 * separable, nor is D's variation across a cell (which steers the cell's diffraction envelope); on T x T
 * tiles of cells both are, with h taken at the tile's centre coordinate in the other axis: x-matrices
 * per row band, y-matrices per column band. Cost: N^2 M + T N M^2 per field (`windowModelValidity`
 * gives what stays neglected).
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
  /** Propagation kernel; default "rayleigh-sommerfeld". */
  kernel?: WindowKernel;
  /** Tiles per side for the distortion term of the non-paraxial kernels (0 = none); default 4. */
  distortionTiles?: number;
}

export type { WindowKernel };

export const DEFAULT_WINDOW_KERNEL: WindowKernel = "rayleigh-sommerfeld";
export const DEFAULT_DISTORTION_TILES = 4;

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

/**
 * E restricted to cells [start, end) along one axis (M x (end - start)):
 *   E[m, n] = (1 / sqrt(lambda z)) * integral over cell n of exp(i pi (s - x_m)^2 / (lambda z) + i g_n (s - s_n - x_m)) ds,
 * s_n the cell centre and g_n = slope(s_n) the gradient along this axis of the non-paraxial phase D at the
 * cell (0 without a slope): its variation across the cell (the cell's diffraction envelope follows the
 * exact direction) and across the window (the distortion).
 *
 * The midpoint sub-cells are evenly spaced, so the phase is quadratic in the sub-cell index q:
 * phi_q = phi_0 + q beta + q^2 gamma. The sum runs on the recurrence t_{q+1} = t_q r_q, r_{q+1} = r_q exp(2 i gamma)
 * (two sines and cosines per entry instead of one per sub-cell: far off axis there are dozens of sub-cells,
 * and the trigonometry took longer than the products the matrices serve); in double precision it moves
 * the sum by ~1e-14 relative over the up to ~60 sub-cells.
 */
function windowMatrix(
  grid: Grid,
  outputCoordinates_m: Float64Array,
  wavelength_m: number,
  distance_m: number,
  range: { start: number; end: number },
  slope: ((along_m: number) => number) | null,
): PlanarComplex {
  const width = range.end - range.start;
  const M = outputCoordinates_m.length;
  const subcells = subcellsPerCell(grid, outputCoordinates_m, wavelength_m, distance_m);
  const weight = grid.pitch_m / subcells / Math.sqrt(wavelength_m * distance_m);
  const a = Math.PI / (wavelength_m * distance_m);
  const step_m = grid.pitch_m / subcells;
  const firstOffset_m = (0.5 / subcells - 0.5) * grid.pitch_m;
  const gamma = a * step_m * step_m;
  const turnRe = Math.cos(2 * gamma);
  const turnIm = Math.sin(2 * gamma);
  const e = complexZeros(M * width);
  for (let n = 0; n < width; n++) {
    const cellCentre = grid.coordinate_m(range.start + n);
    const g = slope ? slope(cellCentre) : 0;
    for (let m = 0; m < M; m++) {
      const x = outputCoordinates_m[m];
      // phi_q = a (u + q step)^2 + g (firstOffset + q step - x), u the first sub-cell's distance to x.
      const u = cellCentre + firstOffset_m - x;
      const phase = a * u * u + g * (firstOffset_m - x);
      let termRe = Math.cos(phase);
      let termIm = Math.sin(phase);
      let re = termRe;
      let im = termIm;
      if (subcells > 1) {
        const increment = step_m * (2 * a * u + g) + gamma;
        let ratioRe = Math.cos(increment);
        let ratioIm = Math.sin(increment);
        for (let q = 1; q < subcells; q++) {
          const nextRe = termRe * ratioRe - termIm * ratioIm;
          termIm = termRe * ratioIm + termIm * ratioRe;
          termRe = nextRe;
          re += termRe;
          im += termIm;
          const turnedRe = ratioRe * turnRe - ratioIm * turnIm;
          ratioIm = ratioRe * turnIm + ratioIm * turnRe;
          ratioRe = turnedRe;
        }
      }
      e.re[m * width + n] = weight * re;
      e.im[m * width + n] = weight * im;
    }
  }
  return e;
}

/** Values of one batch of masked field copies at most (~320 MB), whatever the batch. */
const MASKED_BATCH_VALUES = 40 << 20;

type Run = { start: number; step: number; count: number };

/** Splits a run of items into runs of at most `size` items. */
function chunksOf(run: Run, size: number): Run[] {
  const chunks: Run[] = [];
  for (let k = 0; k < run.count; k += size) chunks.push({ start: run.start + k * run.step, step: run.step, count: Math.min(size, run.count - k) });
  return chunks;
}

/** Contiguous bands of cell indices: `count` nearly equal ranges [start, end) of 0..size. */
function bands(size: number, count: number): { start: number; end: number }[] {
  return Array.from({ length: count }, (_, i) => ({ start: Math.round((i * size) / count), end: Math.round(((i + 1) * size) / count) }));
}

interface Tile {
  rows: { start: number; end: number };
  cols: { start: number; end: number };
  /** M x cols window matrix with the tile's distortion factors, and its conjugate for the adjoint. */
  ex: PlanarComplex;
  exConj: PlanarComplex;
  /** First row of this tile's half product in the stack of all tiles' half products (and first column of its ey). */
  stackOffset: number;
}

/**
 * The items of one wavelength with their tiles' matrices and mask. The y-side products of all tiles run
 * as one product over the stacked half products: sum_t Ey_t T_t = [Ey_0 .. Ey_last] [T_0; ..; T_last]
 * (and Ey_t^H G for every t as one product), so T N M^2 multiply-adds take one call with a long inner
 * dimension instead of T^2 short ones.
 */
interface WavelengthGroup {
  wavelength_m: number;
  items: number[];
  tiles: Tile[];
  /** M x stackRows: every tile's M x rows window matrix Ey_t, side by side. */
  ey: PlanarComplex;
  mask: PlanarComplex | null;
}

export class FresnelWindowOperator implements OpticalOperator {
  readonly inputSize: number;
  readonly outputSize: number;
  /** Mean spacing of the output samples. */
  readonly outputPitch_m: number;
  readonly wavelengths_m: readonly number[];
  readonly distance_m: number;
  readonly kernel: WindowKernel;
  /** Tiles per side of the distortion correction (1 and no distortion factors for the paraxial kernel). */
  readonly distortionTiles: number;
  /** The cell where each band of tiles starts (rows and columns alike), then inputSize. */
  readonly bandStarts: Int32Array;
  /** What the kernel neglects at this geometry, with a warning past its measured limit. */
  readonly validity: WindowModelValidity;
  private readonly groups: WavelengthGroup[];
  /** What the tiles' matrices are made from, but the wavelength (a key of TRANSFORMS). */
  private readonly geometryKey: string;
  private readonly chunkItems: number;
  private half: PlanarComplex | null = null;
  private masked: PlanarComplex | null = null;

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
    this.kernel = options.kernel ?? DEFAULT_WINDOW_KERNEL;
    const requested = options.distortionTiles ?? DEFAULT_DISTORTION_TILES;
    if (!Number.isInteger(requested) || requested < 0 || requested > grid.size) {
      throw new Error(`distortionTiles must be an integer from 0 (no distortion correction) to the ${grid.size} cells, got ${requested}`);
    }
    const corrected = this.kernel !== "paraxial" && requested > 0;
    this.distortionTiles = corrected ? requested : 1;
    this.validity = windowModelValidity({
      cells: grid.size,
      cellPitch_m: grid.pitch_m,
      distance_m: this.distance_m,
      wavelengths_m: this.wavelengths_m,
      windowHalfWidth_m: coordinates.reduce((a, x) => Math.max(a, Math.abs(x)), 0),
      kernel: this.kernel,
      distortionTiles: corrected ? requested : 0,
    });
    const cellBands = bands(grid.size, this.distortionTiles);
    this.geometryKey = [grid.size, grid.pitch_m, this.distance_m, this.kernel, this.distortionTiles, ...coordinates].join(",");
    this.bandStarts = Int32Array.from([...cellBands.map((band) => band.start), grid.size]);
    const centre = (band: { start: number; end: number }) => (grid.coordinate_m(band.start) + grid.coordinate_m(band.end - 1)) / 2;
    this.chunkItems = Math.max(1, Math.min(this.wavelengths_m.length, Math.floor(MASKED_BATCH_VALUES / grid.size ** 2)));
    this.groups = groupByWavelength(this.wavelengths_m).map((group) => {
      const k = (2 * Math.PI) / group.wavelength_m;
      const z = this.distance_m;
      // dD/d(along) = h along, h = k (1 / sqrt(z^2 + along^2 + across^2) - 1 / z), across at the tile centre.
      const slope = (across_m: number) => (corrected ? (along_m: number) => k * (1 / Math.hypot(z, along_m, across_m) - 1 / z) * along_m : null);
      // Rows and columns share the bands, so tile (i, j)'s x-matrix is tile (j, i)'s y-matrix: each is built once.
      const matrices = new Map<string, PlanarComplex>();
      const matrix = (band: number, across: number) => {
        const key = `${band},${across}`;
        let e = matrices.get(key);
        if (!e) matrices.set(key, (e = windowMatrix(grid, coordinates, group.wavelength_m, z, cellBands[band], slope(centre(cellBands[across])))));
        return e;
      };
      const tiles: Tile[] = [];
      const eyOfTile: PlanarComplex[] = [];
      let stackOffset = 0;
      cellBands.forEach((rows, i) => {
        cellBands.forEach((cols, j) => {
          const ex = matrix(j, i);
          tiles.push({ rows, cols, ex, exConj: { re: ex.re, im: ex.im.map((v) => -v) }, stackOffset });
          eyOfTile.push(matrix(i, j));
          stackOffset += rows.end - rows.start;
        });
      });
      return { ...group, tiles, ey: sideBySide(eyOfTile, coordinates.length), mask: kernelMask(grid, group.wavelength_m, this.distance_m, this.kernel) };
    });
  }

  get batch(): number {
    return this.wavelengths_m.length;
  }

  /**
   * U2_b = sum over tiles of Ey_t (m . U1_b)_t Ex_t^T: first T_t = (m . U1)_t Ex_t^T (rows x M) for every tile,
   * then one product of the Ey_t side by side with the stacked T_t. The tiles are read in place from the
   * (masked) fields as windows with row stride N.
   */
  forward(field: PlanarComplex): PlanarComplex {
    const N = this.inputSize;
    if (field.re.length !== this.batch * N * N) throw new Error(`fresnel window: expected ${this.batch} fields of ${N}x${N}, got ${field.re.length} values`);
    const out = complexZeros(this.batch * this.outputSize ** 2);
    for (const { group, chunk } of this.chunks()) {
      let source = offset(field, chunk.start * N * N);
      let stride = chunk.step * N * N;
      if (group.mask) {
        const masked = this.maskedScratch();
        this.ops.multiplyByPlane({ x: source, strideX: stride, plane: group.mask, out: masked, strideOut: N * N, batch: chunk.count, planeSize: N * N, conjugate: false });
        [source, stride] = [masked, N * N];
      }
      this.forwardTiles(group, chunk, source, stride, out);
    }
    return out;
  }

  /**
   * G1_b restricted to tile t = conj(m) . (Ey_t^H G2_b conj(Ex_t)): first every S_t = Ey_t^H G2 (rows x M) as
   * one product, then S_t conj(Ex_t) written in place into the tile of G1 (row stride N), then conj(m) over
   * the whole plane.
   */
  adjoint(gradient: PlanarComplex, out: PlanarComplex = complexZeros(this.batch * this.inputSize ** 2)): PlanarComplex {
    const N = this.inputSize;
    this.checkGradient(gradient);
    if (out.re.length !== this.batch * N * N || out.im.length !== this.batch * N * N) throw new Error(`fresnel window adjoint: out must hold ${this.batch} fields of ${N}x${N}`);
    for (const { group, chunk } of this.chunks()) {
      const fields = offset(out, chunk.start * N * N);
      const stride = chunk.step * N * N;
      this.adjointTiles(group, chunk, gradient, fields, stride);
      if (group.mask) {
        this.ops.multiplyByPlane({ x: fields, strideX: stride, plane: group.mask, out: fields, strideOut: stride, batch: chunk.count, planeSize: N * N, conjugate: true });
      }
    }
    return out;
  }

  /**
   * The operator on amplitude . exp(i phase) with the field made tile by tile where its x-side product
   * reads it and each tile's y-side product following while its half product is in cache (mask and
   * amplitude folded into one weight per wavelength; ComplexOps.phaseWindowForward), and the adjoint making
   * both again for the phase gradient Im(G conj(u)) (u = m . field; conj(m) cancels between G's weight and
   * u's), which it writes out or spends on an Adam(W) step (PhaseUpdate).
   */
  phaseInput(amplitude: Float32Array | null): PhaseInputTransform {
    const N = this.inputSize;
    const M = this.outputSize;
    if (amplitude && amplitude.length !== N * N) throw new Error(`fresnel window: amplitude must hold ${N}x${N} values, got ${amplitude.length}`);
    const bandStarts = this.bandStarts;
    const prepared = new Map(
      this.groups.map((group) => {
        const mask = group.mask ?? (amplitude ? { re: new Float32Array(N * N).fill(1), im: new Float32Array(N * N) } : null);
        const weight = mask && amplitude ? { re: mask.re.map((v, i) => v * amplitude[i]), im: mask.im.map((v, i) => v * amplitude[i]) } : mask;
        return [group, { weight, ...TRANSFORMS.get(`${this.geometryKey},${group.wavelength_m}`, () => phaseWindowTransforms(group.tiles, M)) }];
      }),
    );
    const windowOf = (group: WavelengthGroup, chunk: Run, phase: Float32Array, direction: "forward" | "adjoint", windows: PlanarComplex) => {
      const blocks = prepared.get(group)!;
      return {
        batch: chunk.count, size: N, stride: chunk.step * N * N, bandStarts, samples: M,
        phase: phase.subarray(chunk.start * N * N), weight: blocks.weight,
        transforms: blocks[direction], factors: direction === "forward" ? blocks.forwardFactors : blocks.adjointFactors, rank: blocks.rank,
        window: offset(windows, chunk.start * M * M), windowStride: chunk.step * M * M,
      };
    };
    const checkPhase = (phase: Float32Array) => {
      if (phase.length !== this.batch * N * N) throw new Error(`fresnel window: expected ${this.batch} phase planes of ${N}x${N}, got ${phase.length} values`);
    };
    return {
      forward: (phase) => {
        checkPhase(phase);
        const out = complexZeros(this.batch * M * M);
        for (const { group, chunk } of this.chunks()) this.ops.phaseWindowForward(windowOf(group, chunk, phase, "forward", out));
        return out;
      },
      adjoint: (gradient, phase, update) => {
        this.checkGradient(gradient);
        checkPhase(phase);
        for (const { group, chunk } of this.chunks()) {
          this.ops.phaseWindowAdjoint(windowOf(group, chunk, phase, "adjoint", gradient), chunkUpdate(update, chunk, N * N));
        }
      },
      factorRanks: new Map(this.groups.map((group) => [group.wavelength_m, prepared.get(group)!.rank])),
    };
  }

  /** Complex multiply-adds of one field's transform in one direction, the x-side products on rank-`rank` factors (0: dense). */
  multiplyAddsPerField(rank: number): number {
    return transformMultiplyAdds(this.groups[0].tiles, this.outputSize, rank);
  }

  private checkGradient(gradient: PlanarComplex): void {
    const expected = this.batch * this.outputSize ** 2;
    if (gradient.re.length !== expected) throw new Error(`fresnel window adjoint: expected ${this.batch} planes of ${this.outputSize}x${this.outputSize}, got ${gradient.re.length} values`);
  }

  /** Every chunk of items computed at once: one wavelength, a constant index step, at most chunkItems items. */
  private *chunks(): Generator<{ group: WavelengthGroup; chunk: Run }> {
    for (const group of this.groups) {
      for (const run of arithmeticRuns(group.items)) {
        for (const chunk of chunksOf(run, this.chunkItems)) yield { group, chunk };
      }
    }
  }

  /** out_b = sum over tiles of Ey_t A_t Ex_t^T, A_t read in place from row-major planes (items `stride` apart). */
  private forwardTiles(group: WavelengthGroup, chunk: Run, source: PlanarComplex, stride: number, out: PlanarComplex): void {
    const M = this.outputSize;
    const N = this.inputSize;
    const { half, stackRows } = this.halfScratch();
    for (const tile of group.tiles) {
      this.ops.gemm({
        batch: chunk.count, accumulate: false, m: tile.rows.end - tile.rows.start, n: M, k: tile.cols.end - tile.cols.start,
        a: offset(source, tile.rows.start * N + tile.cols.start), lda: N, b: tile.ex, c: offset(half, tile.stackOffset * M),
        opA: "N", opB: "T", strideA: stride, strideB: 0, strideC: stackRows * M,
      });
    }
    this.ops.gemm({
      batch: chunk.count, accumulate: false, m: M, n: M, k: stackRows,
      a: group.ey, b: half, c: offset(out, chunk.start * M * M),
      opA: "N", opB: "N", strideA: 0, strideB: stackRows * M, strideC: chunk.step * M * M,
    });
  }

  /** Tile t of each item (in row-major planes, items `stride` apart) = Ey_t^H G2 conj(Ex_t). */
  private adjointTiles(group: WavelengthGroup, chunk: Run, gradient: PlanarComplex, target: PlanarComplex, stride: number): void {
    const M = this.outputSize;
    const N = this.inputSize;
    const { half, stackRows } = this.halfScratch();
    this.ops.gemm({
      batch: chunk.count, accumulate: false, m: stackRows, n: M, k: M,
      a: group.ey, b: offset(gradient, chunk.start * M * M), c: half,
      opA: "C", opB: "N", strideA: 0, strideB: chunk.step * M * M, strideC: stackRows * M,
    });
    for (const tile of group.tiles) {
      this.ops.gemm({
        batch: chunk.count, accumulate: false, m: tile.rows.end - tile.rows.start, n: tile.cols.end - tile.cols.start, k: M,
        a: offset(half, tile.stackOffset * M), b: tile.exConj, c: offset(target, tile.rows.start * N + tile.cols.start), ldc: N,
        opA: "N", opB: "N", strideA: stackRows * M, strideB: 0, strideC: stride,
      });
    }
  }

  /** The stacked half products of one chunk (stackRows x M per item), made on first use and reused. */
  private halfScratch(): { half: PlanarComplex; stackRows: number } {
    const stackRows = this.groups[0].ey.re.length / this.outputSize;
    this.half ??= complexZeros(this.chunkItems * stackRows * this.outputSize);
    return { half: this.half, stackRows };
  }

  /** Masked field copies of one chunk (forward of built fields only), made on first use and reused. */
  private maskedScratch(): PlanarComplex {
    this.masked ??= complexZeros(this.chunkItems * this.inputSize ** 2);
    return this.masked;
  }
}


/**
 * The share of a tile matrix's Frobenius norm its rank-r factors may leave out: below the float32 rounding of
 * the dense products they replace (~sqrt(K) 2^-24 for K ~ 257 cells), so the factored transform is the
 * dense one to working precision. The paper's 56 x 257 matrices need rank 12-14 for it (their singular values
 * fall from 1 to 1e-7 within 13-16; the window's space-bandwidth product across a tile is ~5).
 */
const FACTOR_TOLERANCE = 1e-6;

/**
 * The blocks and factors per geometry and wavelength, shared by every operator of that geometry: each model
 * a bank, an inspection or a comparison builds would otherwise factor the same matrices again (~0.45 s per
 * wavelength at the paper's and the default geometry).
 */
const TRANSFORMS = new BoundedMemo<ReturnType<typeof phaseWindowTransforms>>(12);

/** Ranks are rounded up to a multiple of this: oneDNN's sgemm ran a 257 x r x 257 product at 131 GFLOP/s for r = 16 and 106 for r = 14. */
const RANK_MULTIPLE = 8;

/**
 * Matrices are factored only when their smaller side is at most this (the Jacobi eigenproblem costs O(n^3)
 * per sweep in TypeScript: ~20 ms at the paper's 56), and only when the factored products take at most
 * FACTORED_WORK_SHARE of the dense ones' multiply-adds (smaller products run below the dense ones' rate).
 * Wide windows (a sensor sub-image's PSF, src/dko/array-psfs.ts) have ranks near their tiles' width and stay dense.
 */
const FACTORED_SIDE_LIMIT = 96;
const FACTORED_WORK_SHARE = 0.75;

/**
 * Complex multiply-adds of one field's window transform in one direction (the forward and the adjoint do
 * the same) with the x-side products on rank-`rank` factors, or dense with rank 0: per tile of rows x K
 * cells, rows K M + M^2 rows dense, rows K r + r rows M + M^2 r factored.
 */
function transformMultiplyAdds(tiles: Tile[], M: number, rank: number): number {
  return tiles.reduce((sum, t) => {
    const [rows, K] = [t.rows.end - t.rows.start, t.cols.end - t.cols.start];
    return sum + (rank === 0 ? rows * K * M + M * M * rows : rows * K * rank + rank * rows * M + M * M * rank);
  }, 0);
}

/**
 * The rank the tiles' x-matrices are factored to (one for all), or 0 to keep them dense, with each tile's
 * decomposition (none when dense).
 */
function factorRank(tiles: Tile[], M: number): { rank: number; singular: ReturnType<typeof singularBasis>[] } {
  if (tiles.some((t) => Math.min(M, t.cols.end - t.cols.start) > FACTORED_SIDE_LIMIT)) return { rank: 0, singular: [] };
  const singular = tiles.map(({ ex, cols }) => singularBasis({ rows: M, cols: cols.end - cols.start, ...ex }));
  const needed = Math.max(...singular.map(({ singularValues }) => rankWithin(singularValues, FACTOR_TOLERANCE)));
  const rank = Math.min(M, Math.max(1, Math.ceil(needed / RANK_MULTIPLE) * RANK_MULTIPLE));
  return { rank: transformMultiplyAdds(tiles, M, rank) <= FACTORED_WORK_SHARE * transformMultiplyAdds(tiles, M, 0) ? rank : 0, singular };
}

/**
 * Each tile's M x K window matrix E as the real blocks ComplexOps.phaseWindowForward and
 * phaseWindowAdjoint multiply by (see PhaseWindow): forward K x M blocks Re E^T, Im E^T, Re E^T + Im E^T,
 * adjoint M x K blocks Re E, -Im E, Re E - Im E, tiles in row-major order; and, when factorRank finds it
 * pays, E = P Q at one rank for all tiles: forward the blocks of Q^T (K x r) then P (M x r), adjoint those
 * of conj(Q) (r x K) then conj(P)^T (r x M).
 */
function phaseWindowTransforms(tiles: Tile[], M: number): { forward: Float32Array; adjoint: Float32Array; forwardFactors: Float32Array; adjointFactors: Float32Array; rank: number } {
  const { rank, singular } = factorRank(tiles, M);
  const dense = tiles.reduce((sum, t) => sum + 3 * M * (t.cols.end - t.cols.start), 0);
  const factored = tiles.reduce((sum, t) => sum + 3 * rank * (t.cols.end - t.cols.start + M), 0);
  const [forward, adjoint, forwardFactors, adjointFactors] = [dense, dense, factored, factored].map((length) => new Float32Array(length));
  // Entry (row, col) of a rows x cols complex matrix X into the forward blocks of X^T and the adjoint blocks of conj(X), starting at `at`.
  const put = (forwardOut: Float32Array, adjointOut: Float32Array, at: number, rows: number, cols: number, row: number, col: number, re: number, im: number) => {
    const block = rows * cols;
    const [transposed, inPlace] = [col * rows + row, row * cols + col];
    forwardOut[at + transposed] = re;
    forwardOut[at + block + transposed] = im;
    forwardOut[at + 2 * block + transposed] = re + im;
    adjointOut[at + inPlace] = re;
    adjointOut[at + block + inPlace] = -im;
    adjointOut[at + 2 * block + inPlace] = re - im;
  };
  let [denseAt, factorAt] = [0, 0];
  for (const [t, { ex, cols }] of tiles.entries()) {
    const K = cols.end - cols.start;
    for (let s = 0; s < M; s++) for (let l = 0; l < K; l++) put(forward, adjoint, denseAt, M, K, s, l, ex.re[s * K + l], ex.im[s * K + l]);
    denseAt += 3 * M * K;
    if (rank === 0) continue;
    const { p, q } = lowRankFactors({ rows: M, cols: K, ...ex }, singular[t], rank);
    for (let s = 0; s < rank; s++) for (let l = 0; l < K; l++) put(forwardFactors, adjointFactors, factorAt, rank, K, s, l, q.re[s * K + l], q.im[s * K + l]);
    factorAt += 3 * rank * K;
    // P's blocks are those of P^T's transpose: forward P (M x r), adjoint conj(P)^T (r x M).
    for (let s = 0; s < rank; s++) for (let m = 0; m < M; m++) put(forwardFactors, adjointFactors, factorAt, rank, M, s, m, p.re[m * rank + s], p.im[m * rank + s]);
    factorAt += 3 * rank * M;
  }
  return { forward, adjoint, forwardFactors, adjointFactors, rank };
}

/** The part of an update that concerns the items of one chunk (its arrays start at the chunk's first plane). */
function chunkUpdate(update: PhaseUpdate, chunk: Run, plane: number): PhaseUpdate {
  const items = Array.from({ length: chunk.count }, (_, i) => chunk.start + i * chunk.step);
  const from = chunk.start * plane;
  const trained = items.map((b) => update.trained[b]);
  if (update.kind === "gradient") return { kind: "gradient", out: update.out.subarray(from), trained };
  return { ...update, m: update.m.subarray(from), v: update.v.subarray(from), best: update.best.subarray(from), trained, keepBest: items.map((b) => update.keepBest[b]) };
}

/** Matrices of `rows` rows each, side by side: rows x (sum of their columns). */
function sideBySide(matrices: PlanarComplex[], rows: number): PlanarComplex {
  const widths = matrices.map((x) => x.re.length / rows);
  const total = widths.reduce((a, b) => a + b, 0);
  const out = complexZeros(rows * total);
  let column = 0;
  matrices.forEach((x, i) => {
    for (let r = 0; r < rows; r++) {
      out.re.set(x.re.subarray(r * widths[i], (r + 1) * widths[i]), r * total + column);
      out.im.set(x.im.subarray(r * widths[i], (r + 1) * widths[i]), r * total + column);
    }
    column += widths[i];
  });
  return out;
}

/** A view starting `start` values into a planar array (gemm operands address from index 0). */
function offset(x: PlanarComplex, start: number): PlanarComplex {
  return start === 0 ? x : { re: x.re.subarray(start), im: x.im.subarray(start) };
}
