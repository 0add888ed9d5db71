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
   * shape: [m, n, k, opA, opB, batch, strideA, strideB, strideC, accumulate] with op 0=N, 1=T, 2=C;
   * with batch > 1, strideC >= m n (the products' outputs may not overlap).
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
}
