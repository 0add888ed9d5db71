/**
 * The two batched complex primitives the optics engine is built on. Complex arrays are planar
 * (separate real and imaginary Float32Arrays, row-major), so native BLAS-style code can take them
 * in place. Two implementations share this contract: pure TypeScript (`fft.js` and loops) and the
 * native addon (src/engine/native); they agree within 1e-5 relative.
 */
export interface PlanarComplex {
  re: Float32Array;
  im: Float32Array;
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
}

export interface ComplexOps {
  /** Implementation name, recorded in benchmarks ("js" or "native"). */
  readonly name: string;
  /**
   * In-place 2-D DFT of `batch` contiguous rows x cols planes. Forward uses exp(-i...), unnormalised;
   * inverse uses exp(+i...) and divides by rows*cols, so inverse(forward(x)) = x.
   */
  fft2d(x: PlanarComplex, batch: number, rows: number, cols: number, inverse: boolean): void;
  /** Batched complex matrix product, see ComplexGemm. */
  gemm(p: ComplexGemm): void;
}
