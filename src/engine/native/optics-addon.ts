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
  /** shape: [batch, size, stride, bands, samples, windowStride, rank]; the tiled window transform of weight . exp(i phase) into the window planes (empty weight arrays: 1); see PhaseWindow. */
  phaseWindowForward(shape: Int32Array, bandStarts: Int32Array, phase: Float32Array, weightRe: Float32Array, weightIm: Float32Array, transforms: Float32Array, factors: Float32Array, windowRe: Float32Array, windowIm: Float32Array): void;
  /**
   * The same operands (the window planes holding their gradient), then itemFlags (per item: 1 trained, 2 copy to best), gradient, m, v, hyper, best:
   * dL/dphase into gradient, or with an empty gradient one Adam(W) step on phase in place
   * (hyper [beta1, beta2, epsilon, stepSize, decay]; best may be empty when no item is flagged 2).
   */
  phaseWindowAdjoint(
    shape: Int32Array,
    bandStarts: Int32Array,
    phase: Float32Array,
    weightRe: Float32Array,
    weightIm: Float32Array,
    transforms: Float32Array,
    factors: Float32Array,
    windowRe: Float32Array,
    windowIm: Float32Array,
    itemFlags: Int32Array,
    gradient: Float32Array,
    m: Float32Array,
    v: Float32Array,
    hyper: Float64Array,
    best: Float32Array,
  ): void;
  /** shape as phaseWindowForward (rank unused); seconds[0] = the dense tile products of both directions alone, on cache-resident operands (a benchmark's compute floor). */
  phaseWindowProductSeconds(shape: Int32Array, bandStarts: Int32Array, transforms: Float32Array, seconds: Float64Array): void;
}
