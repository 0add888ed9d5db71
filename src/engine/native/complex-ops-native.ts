import { checkPaddedConvolution, checkPhaseWindow, type PhaseUpdate, type PhaseWindow, checkPhaseGradient, checkPhasorOutput, checkPlaneProduct, gemmRowStrides, kernelCount, type ComplexGemm, type ComplexOps, type MatrixOp, type PaddedConvolution, type PlanarComplex, type PlaneProduct } from "../complex/complex-ops.js";
import { loadNativeAddon, type NativeAddon } from "./addon.js";

const OP_CODES: Record<MatrixOp, number> = { N: 0, T: 1, C: 2 };

function checkPlanes(x: PlanarComplex, length: number, field: string): void {
  if (x.re.length < length || x.im.length < length) {
    throw new Error(`${field}: needs ${length} elements in re and im, has ${x.re.length} and ${x.im.length}`);
  }
}

/** The addon's shape and operand arguments shared by both directions of a phase window. */
function phaseWindowArguments(p: PhaseWindow): [Int32Array, Int32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array] {
  const none = new Float32Array(0);
  const shape = Int32Array.from([p.batch, p.size, p.stride, p.bandStarts.length - 1, p.samples, p.windowStride, p.rank]);
  return [shape, p.bandStarts, p.phase, p.weight?.re ?? none, p.weight?.im ?? none, p.transforms, p.factors, p.window.re, p.window.im];
}

class NativeComplexOps implements ComplexOps {
  readonly name = "native";

  constructor(private readonly addon: NativeAddon) {}

  fft2d(x: PlanarComplex, batch: number, rows: number, cols: number, inverse: boolean): void {
    checkPlanes(x, batch * rows * cols, "fft2d x");
    this.addon.fft2d(x.re, x.im, batch, rows, cols, inverse);
  }

  paddedConvolution(p: PaddedConvolution): void {
    checkPaddedConvolution(p);
    const shape = Int32Array.from([p.batch, p.size, p.paddedSize, kernelCount(p), p.conjugate ? 1 : 0]);
    this.addon.paddedConvolution(shape, p.input.re, p.input.im, p.output.re, p.output.im, p.kernels.re, p.kernels.im, p.kernelOf);
  }

  unitPhasor(phase: Float32Array, out: PlanarComplex): void {
    checkPhasorOutput(phase, out);
    this.addon.unitPhasor(phase, out.re, out.im);
  }

  phaseGradient(gradient: PlanarComplex, transmission: PlanarComplex, out: Float32Array): void {
    checkPhaseGradient(gradient, transmission, out);
    this.addon.phaseGradient(gradient.re, gradient.im, transmission.re, transmission.im, out);
  }

  phaseWindowForward(p: PhaseWindow): void {
    checkPhaseWindow(p);
    if (p.batch === 0) return;
    this.addon.phaseWindowForward(...phaseWindowArguments(p));
  }

  phaseWindowAdjoint(p: PhaseWindow, update: PhaseUpdate): void {
    checkPhaseWindow(p, update);
    if (p.batch === 0) return;
    const none = new Float32Array(0);
    const flags = Int32Array.from(update.trained, (trained, b) => (trained ? 1 : 0) | (update.kind === "adam" && update.keepBest[b] ? 2 : 0));
    if (update.kind === "gradient") {
      this.addon.phaseWindowAdjoint(...phaseWindowArguments(p), flags, update.out, none, none, new Float64Array(0), none);
    } else {
      const { beta1, beta2, epsilon, stepSize, decay } = update.step;
      this.addon.phaseWindowAdjoint(...phaseWindowArguments(p), flags, none, update.m, update.v, Float64Array.of(beta1, beta2, epsilon, stepSize, decay), update.best);
    }
  }

  gemm(p: ComplexGemm): void {
    if (p.batch === 0 || p.m === 0 || p.n === 0) return;
    const { lda, ldc } = gemmRowStrides(p);
    if (p.k === 0) {
      if (!p.accumulate) {
        for (let i = 0; i < p.batch; i++) {
          for (let row = 0; row < p.m; row++) {
            const start = i * p.strideC + row * ldc;
            p.c.re.fill(0, start, start + p.n);
            p.c.im.fill(0, start, start + p.n);
          }
        }
      }
      return;
    }
    const shape = Int32Array.from([
      p.m, p.n, p.k, OP_CODES[p.opA], OP_CODES[p.opB], p.batch, p.strideA, p.strideB, p.strideC, p.accumulate ? 1 : 0, lda, ldc,
    ]);
    this.addon.complexGemm(shape, p.a.re, p.a.im, p.b.re, p.b.im, p.c.re, p.c.im);
  }

  multiplyByPlane(p: PlaneProduct): void {
    checkPlaneProduct(p);
    if (p.batch === 0 || p.planeSize === 0) return;
    const shape = Int32Array.from([p.batch, p.planeSize, p.strideX, p.strideOut, p.conjugate ? 1 : 0]);
    this.addon.multiplyByPlane(shape, p.x.re, p.x.im, p.plane.re, p.plane.im, p.out.re, p.out.im);
  }
}

let instance: ComplexOps | null | undefined;

/**
 * Batched FFTs and padded convolutions (own radix-8/4/2 FFT for powers of two, kissfft otherwise; OpenMP)
 * and complex products (oneDNN) from the native addon, or null when it
 * is not built. Agrees with the typed-array implementation within 1e-5 relative.
 */
export function nativeComplexOps(): ComplexOps | null {
  if (instance === undefined) {
    const load = loadNativeAddon();
    instance = load.ok ? new NativeComplexOps(load.addon) : null;
  }
  return instance;
}
