import type { AdamStep } from "../adam-step.js";

/**
 * The batched complex primitives the optics engine is built on. Complex arrays are planar
 * (separate real and imaginary Float32Arrays, row-major), so native BLAS-style code can take them
 * in place. Two implementations share this contract: pure TypeScript (`fft.js` and loops) and the
 * native addon (src/engine/native); they agree within 1e-5 relative.
 */
export interface PlanarComplex {
  re: Float32Array;
  im: Float32Array;
}

/** Index of the centre sample of n (the numpy fftshift convention): floor(n / 2), for odd and even n. */
export function centreIndex(size: number): number {
  return Math.floor(size / 2);
}

/** Operation applied to a matrix operand: as is, transposed, or conjugate-transposed. */
export type MatrixOp = "N" | "T" | "C";

export interface ComplexGemm {
  /** op(A) is m x k, op(B) is k x n, C is m x n; all row-major. */
  m: number;
  n: number;
  k: number;
  a: PlanarComplex;
  b: PlanarComplex;
  c: PlanarComplex;
  opA: MatrixOp;
  opB: MatrixOp;
  /** Number of products; each operand advances by its stride per product (0 broadcasts one matrix). */
  batch: number;
  strideA: number;
  strideB: number;
  strideC: number;
  /** C = alpha-free op(A) op(B) + (accumulate ? C : 0). */
  accumulate: boolean;
  /**
   * Row strides of the stored A (m x k, or k x m when transposed) and of C; default dense. Larger
   * strides make A and C windows of bigger planes (e.g. tiles of a field), read and written in place.
   */
  lda?: number;
  ldc?: number;
}

/** out_b = x_b . plane (or conj(plane)) for b < batch; item b of x and out starts at b stride; out may be x. */
export interface PlaneProduct {
  x: PlanarComplex;
  plane: PlanarComplex;
  out: PlanarComplex;
  batch: number;
  planeSize: number;
  strideX: number;
  strideOut: number;
  conjugate: boolean;
}

/**
 * The tiled window transform fused with a phase metasurface: square size x size phase planes (item b at
 * b * stride, row-major) cut into tiles by the same bands along rows and columns, S x S window planes
 * (item b at b * windowStride). Per item, window = sum over tiles t of Ey_t u_t Ex_t^T with u_t the field
 * weight . exp(i phase) on the tile, made where it is multiplied and never stored (the adjoint makes it
 * again), and Ex_t, Ey_t the tile's S x K window matrices; the bands are shared, so Ey of tile (i, j) is
 * Ex of tile (j, i).
 * - transforms: per tile in row-major order, with E the tile's S x K matrix Ex, three real blocks for a
 *   complex product done as three real ones (forward Re E^T, Im E^T, Re E^T + Im E^T, K x S each;
 *   adjoint Re E, -Im E, Re E - Im E, S x K each), so tile (i, j) starts at 3 S (i size + bandStarts[j])
 *   (see phaseWindowTransforms).
 * - window: the forward writes the window planes there; the adjoint reads their gradient G2 there.
 */
export interface PhaseWindow {
  batch: number;
  size: number;
  stride: number;
  /** bands + 1 increasing band starts, from 0 to size. */
  bandStarts: Int32Array;
  /** Window samples per side (S). */
  samples: number;
  phase: Float32Array;
  /** One size x size plane multiplying every exp(i phase), or null for 1. */
  weight: PlanarComplex | null;
  /** Each tile's window matrix Ex as blocks (layout: phase_window.h in the native addon). */
  transforms: Float32Array;
  /**
   * Each Ex as rank-`rank` factors P Q as blocks (same layout note; rank 0: none). The native engine's x-side
   * products use them; the TypeScript one multiplies by the dense matrices, a reference that agrees to the
   * truncation.
   */
  factors: Float32Array;
  rank: number;
  window: PlanarComplex;
  /** Values from one item's window plane to the next's (>= S^2). */
  windowStride: number;
}

/**
 * What the adjoint does with dL/dphase = Im(G conj(u)): write it to `out` (row-major like the phases), or
 * take one Adam(W) step on the phases in place (moments m, v laid out like them), first copying the items
 * flagged in keepBest to `best`. Untrained items count as having zero gradient.
 */
export type PhaseUpdate =
  | { kind: "gradient"; out: Float32Array; trained: readonly boolean[] }
  | { kind: "adam"; m: Float32Array; v: Float32Array; step: AdamStep; trained: readonly boolean[]; keepBest: readonly boolean[]; best: Float32Array };

/** Rows and columns of tile (i, j), its first cell in a plane and its offsets in `transforms` and `factors`. */
export function phaseWindowTile(
  p: Pick<PhaseWindow, "size" | "bandStarts" | "samples" | "rank">,
  i: number,
  j: number,
): { rows: number; cols: number; cell: number; transformOffset: number; factorOffset: number } {
  const { size, bandStarts, samples, rank } = p;
  const bands = bandStarts.length - 1;
  return {
    rows: bandStarts[i + 1] - bandStarts[i],
    cols: bandStarts[j + 1] - bandStarts[j],
    cell: bandStarts[i] * size + bandStarts[j],
    transformOffset: 3 * samples * (i * size + bandStarts[j]),
    factorOffset: 3 * rank * (i * (size + bands * samples) + bandStarts[j] + j * samples),
  };
}

/** Throws unless the bands cover 0..size in order and every operand holds what the shape needs. */
export function checkPhaseWindow(p: PhaseWindow, update?: PhaseUpdate): void {
  const { batch, size, stride, bandStarts, samples, windowStride, rank } = p;
  for (const [name, value] of Object.entries({ batch, size, stride, samples, windowStride })) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`phase window: ${name} = ${value} must be a non-negative integer`);
  }
  if (!Number.isInteger(rank) || rank < 0 || rank > samples) throw new Error(`phase window: rank = ${rank} must be an integer from 0 (dense) to samples = ${samples}`);
  const bands = bandStarts.length - 1;
  if (bands < 1 || bandStarts[0] !== 0 || bandStarts[bands] !== size || bandStarts.some((v, i) => i > 0 && v <= bandStarts[i - 1])) {
    throw new Error(`phase window: bandStarts [${bandStarts.join(", ")}] must increase from 0 to size ${size}`);
  }
  if (batch > 1 && stride < size * size) throw new Error(`phase window: stride ${stride} must be >= size^2 = ${size * size} for a batch`);
  if (batch > 1 && windowStride < samples * samples) throw new Error(`phase window: windowStride ${windowStride} must be >= samples^2 = ${samples * samples} for a batch`);
  const planes = batch === 0 ? 0 : (batch - 1) * stride + size * size;
  const windows = batch === 0 ? 0 : (batch - 1) * windowStride + samples * samples;
  const needs: [string, { length: number }, number][] = [
    ["phase", p.phase, planes],
    ["transforms", p.transforms, 3 * samples * size * bands],
    ["factors", p.factors, 3 * rank * bands * (size + bands * samples)],
    ["window.re", p.window.re, windows],
    ["window.im", p.window.im, windows],
  ];
  if (p.weight) needs.push(["weight.re", p.weight.re, size * size], ["weight.im", p.weight.im, size * size]);
  if (update?.kind === "gradient") needs.push(["out", update.out, planes]);
  if (update?.kind === "adam") needs.push(["m", update.m, planes], ["v", update.v, planes]);
  if (update?.kind === "adam" && update.keepBest.some(Boolean)) needs.push(["best", update.best, planes]);
  for (const [name, x, need] of needs) {
    if (x.length < need) throw new Error(`phase window: ${name} needs ${need} values, has ${x.length}`);
  }
  for (const [name, flags] of update ? Object.entries({ trained: update.trained, ...(update.kind === "adam" ? { keepBest: update.keepBest } : {}) }) : []) {
    if (flags.length !== batch) throw new Error(`phase window: ${name} needs one flag per item (${batch}), has ${flags.length}`);
  }
}

/** The row strides of a gemm's stored A and C, defaults filled in. */
export function gemmRowStrides(p: ComplexGemm): { lda: number; ldc: number } {
  return { lda: p.lda ?? (p.opA === "N" ? p.k : p.m), ldc: p.ldc ?? p.n };
}

/** Throws unless every item of a PlaneProduct lies inside its arrays. */
export function checkPlaneProduct(p: PlaneProduct): void {
  for (const [name, value] of Object.entries({ batch: p.batch, planeSize: p.planeSize, strideX: p.strideX, strideOut: p.strideOut })) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`multiplyByPlane: ${name} = ${value} must be a non-negative integer`);
  }
  if (p.batch > 1 && Math.min(p.strideX, p.strideOut) < p.planeSize) throw new Error(`multiplyByPlane: strides ${p.strideX}, ${p.strideOut} must be >= planeSize ${p.planeSize} for a batch`);
  const need = (stride: number) => (p.batch - 1) * stride + p.planeSize;
  checkLength(p.x, need(p.strideX), "multiplyByPlane x");
  checkLength(p.out, need(p.strideOut), "multiplyByPlane out");
  checkLength(p.plane, p.planeSize, "multiplyByPlane plane");
}

function checkLength(x: PlanarComplex, length: number, field: string): void {
  if (x.re.length < length || x.im.length < length) throw new Error(`${field}: needs ${length} values in re and im, has ${x.re.length} and ${x.im.length}`);
}

/**
 * The convolution of a band-limited propagator (angular spectrum, Fresnel transfer function) on a
 * zero-padded grid. For each batch item b: zero-pad the centred size x size field to
 * paddedSize x paddedSize, 2-D DFT, multiply by transfer function kernelOf[b] (or its conjugate), inverse
 * DFT, and keep the centred size x size samples. Centres are floor(n / 2) (grid.ts). With `conjugate`
 * this is the exact adjoint of the operation without it.
 */
export interface PaddedConvolution {
  /** [batch, size, size] fields. */
  input: PlanarComplex;
  /** [batch, size, size] results; may be the input arrays. */
  output: PlanarComplex;
  batch: number;
  size: number;
  paddedSize: number;
  /** Transfer functions in FFT order, stacked [kernelCount, paddedSize, paddedSize]. */
  kernels: PlanarComplex;
  /** Index of the transfer function of each batch item. */
  kernelOf: Int32Array;
  conjugate: boolean;
}

export interface ComplexOps {
  /** Implementation name, recorded in benchmarks ("js" or "native"). */
  readonly name: string;
  /**
   * In-place 2-D DFT of `batch` contiguous rows x cols planes. Forward uses exp(-i...), unnormalised;
   * inverse uses exp(+i...) and divides by rows*cols, so inverse(forward(x)) = x.
   */
  fft2d(x: PlanarComplex, batch: number, rows: number, cols: number, inverse: boolean): void;
  /** Batched zero-padded FFT convolution, see PaddedConvolution. */
  paddedConvolution(p: PaddedConvolution): void;
  /** out = exp(i phase) elementwise (out.re and out.im hold at least phase.length values). */
  unitPhasor(phase: Float32Array, out: PlanarComplex): void;
  /** The vjp of unitPhasor: out = Im(G conj(t)) = dL/dphase given G = 2 dL/d(conj t) and t = exp(i phase). */
  phaseGradient(gradient: PlanarComplex, transmission: PlanarComplex, out: Float32Array): void;
  /** The tiled window transform of weight . exp(i phase), into `window` (see PhaseWindow). */
  phaseWindowForward(p: PhaseWindow): void;
  /** Its adjoint from the gradient in `window`, with dL/dphase written out or spent on an Adam(W) step in place (see PhaseUpdate). */
  phaseWindowAdjoint(p: PhaseWindow, update: PhaseUpdate): void;
  /** Batched complex matrix product, see ComplexGemm. */
  gemm(p: ComplexGemm): void;
  /** Elementwise product of a batch of planes with one broadcast plane, see PlaneProduct. */
  multiplyByPlane(p: PlaneProduct): void;
}

/** Throws unless the operands of a PaddedConvolution have the sizes its shape asks for. */
export function checkPaddedConvolution(p: PaddedConvolution): void {
  const { batch, size, paddedSize, kernelOf } = p;
  for (const [name, value] of Object.entries({ batch, size, paddedSize })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`paddedConvolution: ${name} = ${value} must be a positive integer`);
  }
  if (paddedSize < size) throw new Error(`paddedConvolution: paddedSize ${paddedSize} is smaller than size ${size}`);
  const fields = batch * size * size;
  for (const [name, x] of Object.entries({ input: p.input, output: p.output })) {
    if (x.re.length < fields || x.im.length < fields) {
      throw new Error(`paddedConvolution: ${name} needs ${batch} fields of ${size}x${size} (${fields} values), has ${x.re.length} and ${x.im.length}`);
    }
  }
  const kernels = kernelCount(p);
  if (kernelOf.length !== batch) throw new Error(`paddedConvolution: kernelOf has ${kernelOf.length} entries for ${batch} items`);
  const bad = kernelOf.findIndex((k) => k < 0 || k >= kernels);
  if (bad >= 0) throw new Error(`paddedConvolution: item ${bad} uses kernel ${kernelOf[bad]}, but ${kernels} ${paddedSize}x${paddedSize} kernels were given`);
}

/** Number of whole paddedSize x paddedSize kernels in the stack. */
export function kernelCount(p: PaddedConvolution): number {
  return Math.floor(Math.min(p.kernels.re.length, p.kernels.im.length) / (p.paddedSize * p.paddedSize));
}

/** Throws unless G and t cover every element of `out`. */
export function checkPhaseGradient(gradient: PlanarComplex, transmission: PlanarComplex, out: Float32Array): void {
  const shortest = Math.min(gradient.re.length, gradient.im.length, transmission.re.length, transmission.im.length);
  if (shortest < out.length) throw new Error(`phaseGradient: ${out.length} phases need as many gradient and transmission values, got ${shortest}`);
}

/** Throws unless `out` can hold exp(i phase). */
export function checkPhasorOutput(phase: Float32Array, out: PlanarComplex): void {
  if (out.re.length < phase.length || out.im.length < phase.length) {
    throw new Error(`unitPhasor: ${phase.length} phases need as many outputs, got ${out.re.length} and ${out.im.length}`);
  }
}
