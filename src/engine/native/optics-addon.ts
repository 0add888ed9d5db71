/** Optics functions of the compiled addon (src/engine/native/src/optics_addon.cc); planar complex Float32Arrays. */
export interface NativeOpticsAddon {
  fft2d(re: Float32Array, im: Float32Array, batch: number, rows: number, cols: number, inverse: boolean): void;
  /** shape: [batch, size, paddedSize, kernelCount, conjugate]; see PaddedConvolution in src/engine/complex/complex-ops.ts. */
  paddedConvolution(
    shape: Int32Array,
    inRe: Float32Array,
    inIm: Float32Array,
    outRe: Float32Array,
    outIm: Float32Array,
    kernelRe: Float32Array,
    kernelIm: Float32Array,
    kernelOf: Int32Array,
  ): void;
  /** re + i im = exp(i phase) for every element of phase. */
  unitPhasor(phase: Float32Array, re: Float32Array, im: Float32Array): void;
  /**
   * shape: [m, n, k, opA, opB, batch, strideA, strideB, strideC, accumulate, lda, ldc] with op 0=N, 1=T, 2=C
   * and lda, ldc the row strides of the stored A and of C (0: dense); with batch > 1,
   * strideC >= (m - 1) ldc + n (the products' outputs may not overlap).
   */
  complexGemm(
    shape: Int32Array,
    aRe: Float32Array,
    aIm: Float32Array,
    bRe: Float32Array,
    bIm: Float32Array,
    cRe: Float32Array,
    cIm: Float32Array,
  ): void;
  /** shape: [batch, planeSize, strideX, strideOut, conjugate]; out_b = x_b . plane (or its conjugate). */
  multiplyByPlane(
    shape: Int32Array,
    xRe: Float32Array,
    xIm: Float32Array,
    planeRe: Float32Array,
    planeIm: Float32Array,
    outRe: Float32Array,
    outIm: Float32Array,
  ): void;
  /** shape: [batch, size, stride, bands]; u = weight . exp(i phase) in the tile layout (empty weight arrays: 1); see TiledPlanes. */
  tiledPhasor(shape: Int32Array, bandStarts: Int32Array, phase: Float32Array, weightRe: Float32Array, weightIm: Float32Array, outRe: Float32Array, outIm: Float32Array): void;
  /** shape as tiledPhasor; out = Im(G conj(u)) row-major from G and u in the tile layout. */
  tiledPhaseGradient(shape: Int32Array, bandStarts: Int32Array, gradRe: Float32Array, gradIm: Float32Array, fieldRe: Float32Array, fieldIm: Float32Array, out: Float32Array): void;
}
