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
 * A batch of square size x size planes cut into tiles by the same bands along rows and columns, stored
 * tile after tile with each tile row-major: tile (r, c) starts at start_r size + rows_r start_c, so a tiled
 * product reads every tile as a dense matrix. Item b starts at b * stride.
 */
export interface TiledPlanes {
  batch: number;
  size: number;
  stride: number;
  /** bands + 1 increasing band starts, from 0 to size. */
  bandStarts: Int32Array;
}

/** Offset of tile (r, c) inside one item of a tiled plane, and its rows and columns. */
export function tileOf(layout: Pick<TiledPlanes, "size" | "bandStarts">, r: number, c: number): { offset: number; rows: number; cols: number } {
  const { size, bandStarts } = layout;
  const rows = bandStarts[r + 1] - bandStarts[r];
  return { offset: bandStarts[r] * size + rows * bandStarts[c], rows, cols: bandStarts[c + 1] - bandStarts[c] };
}

/** Throws unless the layout's bands cover 0..size in order and every operand holds the batch. */
export function checkTiledPlanes(layout: TiledPlanes, operands: Record<string, { length: number }>): void {
  const { batch, size, stride, bandStarts } = layout;
  for (const [name, value] of Object.entries({ batch, size, stride })) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`tiled planes: ${name} = ${value} must be a non-negative integer`);
  }
  const bands = bandStarts.length - 1;
  if (bands < 1 || bandStarts[0] !== 0 || bandStarts[bands] !== size || bandStarts.some((v, i) => i > 0 && v <= bandStarts[i - 1])) {
    throw new Error(`tiled planes: bandStarts [${bandStarts.join(", ")}] must increase from 0 to size ${size}`);
  }
  if (batch > 1 && stride < size * size) throw new Error(`tiled planes: stride ${stride} must be >= size^2 = ${size * size} for a batch`);
  const need = batch === 0 ? 0 : (batch - 1) * stride + size * size;
  for (const [name, x] of Object.entries(operands)) {
    if (x.length < need) throw new Error(`tiled planes: ${name} needs ${need} values, has ${x.length}`);
  }
}

/** Throws unless tiledPhasor's operands fit the layout (the weight is one plane, shared by the batch). */
export function checkTiledPhasor(layout: TiledPlanes, phase: Float32Array, weight: PlanarComplex | null, out: PlanarComplex): void {
  checkTiledPlanes(layout, { phase, "out.re": out.re, "out.im": out.im });
  if (weight) checkTiledPlanes({ ...layout, batch: 1 }, { "weight.re": weight.re, "weight.im": weight.im });
}

/** Throws unless tiledPhaseGradient's operands fit the layout. */
export function checkTiledPhaseGradient(layout: TiledPlanes, gradient: PlanarComplex, field: PlanarComplex, out: Float32Array): void {
  checkTiledPlanes(layout, { "gradient.re": gradient.re, "gradient.im": gradient.im, "field.re": field.re, "field.im": field.im, out });
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
  /**
   * u_b = weight . exp(i phase_b) (weight null: 1), phase row-major, u in the tile layout: the phase
   * metasurface's transmission, a diagonal input weight and the tiling in one pass (weight is size^2 values).
   */
  tiledPhasor(layout: TiledPlanes, phase: Float32Array, weight: PlanarComplex | null, out: PlanarComplex): void;
  /** out_b = Im(G_b conj(u_b)) row-major from G and u in the tile layout: dL/dphase of tiledPhasor given G = 2 dL/d(conj u). */
  tiledPhaseGradient(layout: TiledPlanes, gradient: PlanarComplex, field: PlanarComplex, out: Float32Array): void;
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
