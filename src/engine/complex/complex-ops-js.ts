import FFT from "fft.js";
import { centreIndex, checkPaddedConvolution, checkPhaseWindow, phaseWindowTile, type PhaseUpdate, type PhaseWindow, checkPhaseGradient, checkPhasorOutput, checkPlaneProduct, gemmRowStrides, type ComplexGemm, type ComplexOps, type MatrixOp, type PaddedConvolution, type PlanarComplex, type PlaneProduct } from "./complex-ops.js";
import { adamUpdateFlat } from "../adam-step.js";
import { unitPhasor } from "./unit-phasor.js";

/**
 * Pure TypeScript ComplexOps: fft.js (radix-4, power-of-two sizes) for 1-D transforms, Bluestein's
 * chirp-z algorithm for other sizes, row and column passes for 2-D, and a row-streaming gemm that
 * accumulates in float64.
 */

/** In-place 1-D DFT on an interleaved float64 buffer [re0, im0, re1, im1, ...] of length 2n. */
interface Fft1d {
  readonly size: number;
  run(buffer: Float64Array, inverse: boolean): void;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 2 && (n & (n - 1)) === 0;
}

class RadixFft implements Fft1d {
  private readonly fft: FFT;
  private readonly scratch: Float64Array;
  constructor(readonly size: number) {
    this.fft = new FFT(size);
    this.scratch = new Float64Array(2 * size);
  }
  run(buffer: Float64Array, inverse: boolean): void {
    if (inverse) this.fft.inverseTransform(this.scratch, buffer);
    else this.fft.transform(this.scratch, buffer);
    buffer.set(this.scratch);
  }
}

/** Bluestein: a length-n DFT as a circular convolution of power-of-two length m >= 2n - 1. */
class BluesteinFft implements Fft1d {
  private readonly inner: RadixFft;
  /** exp(-i pi k^2 / n), k < n. */
  private readonly chirp: Float64Array;
  /** Forward transform of the convolution kernel exp(+i pi k^2 / n), wrapped circularly. */
  private readonly kernelSpectrum: Float64Array;
  private readonly work: Float64Array;
  constructor(readonly size: number) {
    let m = 2;
    while (m < 2 * size - 1) m *= 2;
    this.inner = new RadixFft(m);
    this.chirp = new Float64Array(2 * size);
    for (let k = 0; k < size; k++) {
      // k^2 mod 2n keeps the angle small, so large k loses no precision.
      const angle = (Math.PI * ((k * k) % (2 * size))) / size;
      this.chirp[2 * k] = Math.cos(angle);
      this.chirp[2 * k + 1] = -Math.sin(angle);
    }
    this.kernelSpectrum = new Float64Array(2 * m);
    for (let k = 0; k < size; k++) {
      const re = this.chirp[2 * k];
      const im = -this.chirp[2 * k + 1];
      this.kernelSpectrum[2 * k] = re;
      this.kernelSpectrum[2 * k + 1] = im;
      if (k > 0) {
        this.kernelSpectrum[2 * (m - k)] = re;
        this.kernelSpectrum[2 * (m - k) + 1] = im;
      }
    }
    this.inner.run(this.kernelSpectrum, false);
    this.work = new Float64Array(2 * m);
  }
  run(buffer: Float64Array, inverse: boolean): void {
    const n = this.size;
    const work = this.work;
    const chirp = this.chirp;
    // The inverse is conj(forward(conj(x))) / n.
    const sign = inverse ? -1 : 1;
    work.fill(0);
    for (let k = 0; k < n; k++) {
      const xr = buffer[2 * k];
      const xi = sign * buffer[2 * k + 1];
      const cr = chirp[2 * k];
      const ci = chirp[2 * k + 1];
      work[2 * k] = xr * cr - xi * ci;
      work[2 * k + 1] = xr * ci + xi * cr;
    }
    this.inner.run(work, false);
    const spectrum = this.kernelSpectrum;
    for (let j = 0; j < work.length; j += 2) {
      const ar = work[j];
      const ai = work[j + 1];
      work[j] = ar * spectrum[j] - ai * spectrum[j + 1];
      work[j + 1] = ar * spectrum[j + 1] + ai * spectrum[j];
    }
    this.inner.run(work, true);
    const scale = inverse ? 1 / n : 1;
    for (let k = 0; k < n; k++) {
      const yr = work[2 * k];
      const yi = work[2 * k + 1];
      const cr = chirp[2 * k];
      const ci = chirp[2 * k + 1];
      buffer[2 * k] = scale * (yr * cr - yi * ci);
      buffer[2 * k + 1] = scale * sign * (yr * ci + yi * cr);
    }
  }
}

class TrivialFft implements Fft1d {
  readonly size = 1;
  run(): void {
    // A length-1 DFT is the identity.
  }
}

const fftCache = new Map<number, Fft1d>();

function fft1d(size: number): Fft1d {
  let plan = fftCache.get(size);
  if (!plan) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`fft2d: size ${size} must be a positive integer`);
    plan = size === 1 ? new TrivialFft() : isPowerOfTwo(size) ? new RadixFft(size) : new BluesteinFft(size);
    fftCache.set(size, plan);
  }
  return plan;
}

function fft2dJs(x: PlanarComplex, batch: number, rows: number, cols: number, inverse: boolean): void {
  const plane = rows * cols;
  if (x.re.length < batch * plane || x.im.length < batch * plane) {
    throw new Error(`fft2d: ${batch} planes of ${rows}x${cols} need ${batch * plane} values, got ${x.re.length}`);
  }
  const rowFft = fft1d(cols);
  const colFft = fft1d(rows);
  const rowBuffer = new Float64Array(2 * cols);
  // Columns are transformed a block at a time: gathering several adjacent columns per row read keeps
  // the strided access cache-friendly.
  const block = Math.min(16, cols);
  const colBuffers = Array.from({ length: block }, () => new Float64Array(2 * rows));
  const { re, im } = x;
  for (let b = 0; b < batch; b++) {
    const base = b * plane;
    if (cols > 1) {
      for (let r = 0; r < rows; r++) {
        const off = base + r * cols;
        for (let c = 0; c < cols; c++) {
          rowBuffer[2 * c] = re[off + c];
          rowBuffer[2 * c + 1] = im[off + c];
        }
        rowFft.run(rowBuffer, inverse);
        for (let c = 0; c < cols; c++) {
          re[off + c] = rowBuffer[2 * c];
          im[off + c] = rowBuffer[2 * c + 1];
        }
      }
    }
    if (rows > 1) {
      for (let c0 = 0; c0 < cols; c0 += block) {
        const width = Math.min(block, cols - c0);
        for (let r = 0; r < rows; r++) {
          const off = base + r * cols + c0;
          for (let j = 0; j < width; j++) {
            colBuffers[j][2 * r] = re[off + j];
            colBuffers[j][2 * r + 1] = im[off + j];
          }
        }
        for (let j = 0; j < width; j++) colFft.run(colBuffers[j], inverse);
        for (let r = 0; r < rows; r++) {
          const off = base + r * cols + c0;
          for (let j = 0; j < width; j++) {
            re[off + j] = colBuffers[j][2 * r];
            im[off + j] = colBuffers[j][2 * r + 1];
          }
        }
      }
    }
  }
}

/** One item at a time through a reused padded plane, so no batch of padded planes is ever allocated. */
function paddedConvolutionJs(p: PaddedConvolution): void {
  checkPaddedConvolution(p);
  const { input, output, batch, size: N, paddedSize: P, kernels, kernelOf } = p;
  const offset = centreIndex(P) - centreIndex(N);
  const padded: PlanarComplex = { re: new Float32Array(P * P), im: new Float32Array(P * P) };
  const sign = p.conjugate ? -1 : 1;
  for (let b = 0; b < batch; b++) {
    padded.re.fill(0);
    padded.im.fill(0);
    for (let r = 0; r < N; r++) {
      const from = b * N * N + r * N;
      padded.re.set(input.re.subarray(from, from + N), (r + offset) * P + offset);
      padded.im.set(input.im.subarray(from, from + N), (r + offset) * P + offset);
    }
    fft2dJs(padded, 1, P, P, false);
    const kernel = kernelOf[b] * P * P;
    for (let i = 0; i < P * P; i++) {
      const xr = padded.re[i];
      const xi = padded.im[i];
      const hr = kernels.re[kernel + i];
      const hi = sign * kernels.im[kernel + i];
      padded.re[i] = xr * hr - xi * hi;
      padded.im[i] = xr * hi + xi * hr;
    }
    fft2dJs(padded, 1, P, P, true);
    for (let r = 0; r < N; r++) {
      const from = (r + offset) * P + offset;
      output.re.set(padded.re.subarray(from, from + N), b * N * N + r * N);
      output.im.set(padded.im.subarray(from, from + N), b * N * N + r * N);
    }
  }
}

/**
 * Copies op(X) (rows x cols after the op) of a stored matrix into float64 planes, so the product loop
 * reads one layout. `stored` is rows x cols for "N", cols x rows for "T" and "C".
 */
function materialise(
  x: { re: ArrayLike<number>; im: ArrayLike<number> },
  offset: number,
  op: MatrixOp,
  rows: number,
  cols: number,
  /** Row stride of the stored matrix (rows x cols, or cols x rows when transposed). */
  ld: number,
  outRe: Float64Array,
  outIm: Float64Array,
): void {
  const conj = op === "C" ? -1 : 1;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const src = offset + (op === "N" ? i * ld + j : j * ld + i);
      outRe[i * cols + j] = x.re[src];
      outIm[i * cols + j] = conj * x.im[src];
    }
  }
}

function gemmJs(p: ComplexGemm): void {
  const { m, n, k, a, b, c, opA, opB, batch, strideA, strideB, strideC, accumulate } = p;
  const { lda, ldc } = gemmRowStrides(p);
  for (const [name, value] of Object.entries({ m, n, k, batch })) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`gemm: ${name} = ${value} must be a non-negative integer`);
  }
  const storedRowsA = opA === "N" ? m : k;
  if (lda < (opA === "N" ? k : m) || ldc < n) throw new Error(`gemm: row strides lda ${lda} and ldc ${ldc} are shorter than the rows of A and C`);
  const needA = (batch - 1) * strideA + (storedRowsA - 1) * lda + (opA === "N" ? k : m);
  const needB = (batch - 1) * strideB + k * n;
  const needC = (batch - 1) * strideC + (m - 1) * ldc + n;
  if (batch > 0 && (a.re.length < needA || b.re.length < needB || c.re.length < needC)) {
    throw new Error(`gemm: operands too short for batch ${batch} of ${m}x${k} by ${k}x${n} (A ${a.re.length}/${needA}, B ${b.re.length}/${needB}, C ${c.re.length}/${needC})`);
  }
  // op(A) = A is read in place (it may be a large stack of fields); transposed A and every op(B) are
  // small in the optics paths and are copied once into float64 rows.
  const directA = opA === "N";
  const aRe = new Float64Array(directA ? 0 : m * k);
  const aIm = new Float64Array(directA ? 0 : m * k);
  const bRe = new Float64Array(k * n);
  const bIm = new Float64Array(k * n);
  const accRe = new Float64Array(n);
  const accIm = new Float64Array(n);
  let loadedB = -1;
  let loadedA = -1;
  for (let t = 0; t < batch; t++) {
    // Broadcast operands (stride 0) are materialised once.
    if (!directA && loadedA !== t * strideA) {
      materialise(a, t * strideA, opA, m, k, lda, aRe, aIm);
      loadedA = t * strideA;
    }
    if (loadedB !== t * strideB) {
      materialise(b, t * strideB, opB, k, n, opB === "N" ? n : k, bRe, bIm);
      loadedB = t * strideB;
    }
    const sourceRe = directA ? a.re : aRe;
    const sourceIm = directA ? a.im : aIm;
    const offA = directA ? t * strideA : 0;
    const offC = t * strideC;
    for (let i = 0; i < m; i++) {
      accRe.fill(0);
      accIm.fill(0);
      const rowA = offA + i * (directA ? lda : k);
      for (let q = 0; q < k; q++) {
        const ar = sourceRe[rowA + q];
        const ai = sourceIm[rowA + q];
        if (ar === 0 && ai === 0) continue;
        const rowB = q * n;
        for (let j = 0; j < n; j++) {
          const br = bRe[rowB + j];
          const bi = bIm[rowB + j];
          accRe[j] += ar * br - ai * bi;
          accIm[j] += ar * bi + ai * br;
        }
      }
      const rowC = offC + i * ldc;
      if (accumulate) {
        for (let j = 0; j < n; j++) {
          c.re[rowC + j] += accRe[j];
          c.im[rowC + j] += accIm[j];
        }
      } else {
        for (let j = 0; j < n; j++) {
          c.re[rowC + j] = accRe[j];
          c.im[rowC + j] = accIm[j];
        }
      }
    }
  }
}

function phaseGradientJs(gradient: PlanarComplex, transmission: PlanarComplex, out: Float32Array): void {
  const { re: gr, im: gi } = gradient;
  const { re: tr, im: ti } = transmission;
  for (let i = 0; i < out.length; i++) out[i] = gi[i] * tr[i] - gr[i] * ti[i];
}

function multiplyByPlaneJs({ x, plane, out, batch, planeSize, strideX, strideOut, conjugate }: PlaneProduct): void {
  const sign = conjugate ? -1 : 1;
  for (let b = 0; b < batch; b++) {
    for (let i = 0, from = b * strideX, to = b * strideOut; i < planeSize; i++, from++, to++) {
      const pr = plane.re[i];
      const pi = sign * plane.im[i];
      const ar = x.re[from];
      const ai = x.im[from];
      out.re[to] = ar * pr - ai * pi;
      out.im[to] = ar * pi + ai * pr;
    }
  }
}

/** Calls visit(tile, i, j) for every tile (i, j) of a phase window, in row-major order. */
function forEachTile(p: PhaseWindow, visit: (tile: ReturnType<typeof phaseWindowTile>, i: number, j: number) => void): void {
  const bands = p.bandStarts.length - 1;
  for (let i = 0; i < bands; i++) for (let j = 0; j < bands; j++) visit(phaseWindowTile(p, i, j), i, j);
}

/** The transpose of a row-major rows x cols complex matrix stored at `offset`, in float64. */
function transposed(x: { re: ArrayLike<number>; im: ArrayLike<number> }, offset: number, rows: number, cols: number): { re: Float64Array; im: Float64Array } {
  const t = { re: new Float64Array(rows * cols), im: new Float64Array(rows * cols) };
  materialise(x, offset, "T", cols, rows, cols, t.re, t.im);
  return t;
}

/** Re and Im of u = weight . exp(i phase) over a tile (rows x cols each), in float64. */
function tileField(p: PhaseWindow, b: number, tile: ReturnType<typeof phaseWindowTile>): { re: Float64Array; im: Float64Array } {
  const { rows, cols, cell } = tile;
  const field = { re: new Float64Array(rows * cols), im: new Float64Array(rows * cols) };
  const re = new Float32Array(cols);
  const im = new Float32Array(cols);
  for (let r = 0; r < rows; r++) {
    const inPlane = cell + r * p.size;
    unitPhasor(p.phase.subarray(b * p.stride + inPlane, b * p.stride + inPlane + cols), re, im);
    for (let j = 0; j < cols; j++) {
      const wr = p.weight ? p.weight.re[inPlane + j] : 1;
      const wi = p.weight ? p.weight.im[inPlane + j] : 0;
      field.re[r * cols + j] = wr * re[j] - wi * im[j];
      field.im[r * cols + j] = wr * im[j] + wi * re[j];
    }
  }
  return field;
}

/**
 * Row-major C = A Y (m x n; A m x k complex) in float64, with Re Y and Im Y the first two k x n blocks of a
 * tile's transforms at `offset` (the reference multiplies them directly; the third block, their sum, is
 * for the native code's three-product form).
 */
function tileProduct(m: number, n: number, k: number, a: { re: Float64Array; im: Float64Array }, transforms: Float32Array, offset: number): { re: Float64Array; im: Float64Array } {
  const c = { re: new Float64Array(m * n), im: new Float64Array(m * n) };
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      const xr = a.re[i * k + l];
      const xi = a.im[i * k + l];
      const yRe = offset + l * n;
      const yIm = yRe + k * n;
      for (let j = 0; j < n; j++) {
        c.re[i * n + j] += xr * transforms[yRe + j] - xi * transforms[yIm + j];
        c.im[i * n + j] += xr * transforms[yIm + j] + xi * transforms[yRe + j];
      }
    }
  }
  return c;
}

function phaseWindowForwardJs(p: PhaseWindow): void {
  const S = p.samples;
  for (let b = 0; b < p.batch; b++) {
    // window^T = sum over tiles of T^T Ey^T, T = u Ex^T, with Ey^T the forward blocks of tile (j, i).
    const windowT = { re: new Float64Array(S * S), im: new Float64Array(S * S) };
    forEachTile(p, (tile, i, j) => {
      const t = tileProduct(tile.rows, S, tile.cols, tileField(p, b, tile), p.transforms, tile.transformOffset);
      const y = tileProduct(S, S, tile.rows, transposed(t, 0, tile.rows, S), p.transforms, phaseWindowTile(p, j, i).transformOffset);
      for (let at = 0; at < S * S; at++) {
        windowT.re[at] += y.re[at];
        windowT.im[at] += y.im[at];
      }
    });
    const window = transposed(windowT, 0, S, S);
    p.window.re.set(window.re, b * p.windowStride);
    p.window.im.set(window.im, b * p.windowStride);
  }
}

/** dL/dphase of every item (zero for untrained ones) as one array laid out like the phases. */
function phaseWindowGradientJs(p: PhaseWindow, trained: readonly boolean[], out: Float32Array): void {
  const S = p.samples;
  for (let b = 0; b < p.batch; b++) {
    const gradientT = transposed(p.window, b * p.windowStride, S, S);
    forEachTile(p, (tile, i, j) => {
      const { rows, cols } = tile;
      // S_t^T = G2^T conj(Ey_t), conj(Ey_t)'s blocks being the adjoint blocks of tile (j, i); then G = S_t conj(Ex_t).
      const sT = tileProduct(S, rows, S, gradientT, p.transforms, phaseWindowTile(p, j, i).transformOffset);
      const product = tileProduct(rows, cols, S, transposed(sT, 0, S, rows), p.transforms, tile.transformOffset);
      const field = tileField(p, b, tile);
      for (let r = 0; r < rows; r++) {
        const to = b * p.stride + tile.cell + r * p.size;
        for (let c = 0; c < cols; c++) {
          const at = r * cols + c;
          out[to + c] = trained[b] ? product.im[at] * field.re[at] - product.re[at] * field.im[at] : 0;
        }
      }
    });
  }
}

function phaseWindowAdjointJs(p: PhaseWindow, update: PhaseUpdate): void {
  if (update.kind === "gradient") return phaseWindowGradientJs(p, update.trained, update.out);
  const plane = p.size * p.size;
  const gradient = new Float32Array(p.phase.length);
  phaseWindowGradientJs(p, update.trained, gradient);
  for (let b = 0; b < p.batch; b++) {
    const range = [b * p.stride, b * p.stride + plane] as const;
    if (update.keepBest[b]) update.best.set(p.phase.subarray(...range), range[0]);
    adamUpdateFlat(p.phase.subarray(...range), update.m.subarray(...range), update.v.subarray(...range), gradient.subarray(...range), update.step);
  }
}

/** The pure TypeScript implementation of ComplexOps. */
export function jsComplexOps(): ComplexOps {
  return {
    name: "js",
    fft2d: fft2dJs,
    paddedConvolution: paddedConvolutionJs,
    unitPhasor: (phase, out) => {
      checkPhasorOutput(phase, out);
      unitPhasor(phase, out.re, out.im);
    },
    phaseGradient: (gradient, transmission, out) => {
      checkPhaseGradient(gradient, transmission, out);
      phaseGradientJs(gradient, transmission, out);
    },
    phaseWindowForward: (p) => {
      checkPhaseWindow(p);
      phaseWindowForwardJs(p);
    },
    phaseWindowAdjoint: (p, update) => {
      checkPhaseWindow(p, update);
      phaseWindowAdjointJs(p, update);
    },
    gemm: gemmJs,
    multiplyByPlane: (p) => {
      checkPlaneProduct(p);
      multiplyByPlaneJs(p);
    },
  };
}
