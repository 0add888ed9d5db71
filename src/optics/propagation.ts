import type { ComplexOps, PlanarComplex } from "../engine/complex/complex-ops.js";
import { getComplexOps } from "../engine/complex/select.js";
import { complexZeros, Grid, planeOf } from "./grid.js";
import { resizeCentredComplex } from "./plane-stack.js";
import { groupByWavelength, type OpticalOperator } from "./optical-operator.js";
import { requireDistance_m, requirePositiveInteger, requireWavelength_m } from "./units.js";

/**
 * Full-field propagators on a zero-padded FFT grid (the reference path, used for validation, the
 * `psf` command and benchmarks):
 * - "asm": band-limited angular spectrum (Matsushima & Shimobaba 2009), exact scalar diffraction;
 * - "fresnel-tf": Fresnel transfer function, unaliased for z <= P dx^2 / lambda (P = padded samples);
 * - "fresnel-ir": Fresnel impulse response, for z >= P dx^2 / lambda;
 * - "lens-focus": Fraunhofer pattern in the focal plane of an ideal thin lens of focal length z placed
 *   on the metasurface (the far field), output pitch lambda z / (P dx).
 * All keep the input grid's size: the padded result is cropped back to the central N x N samples.
 */
export type FullFieldMethod = "asm" | "fresnel-tf" | "fresnel-ir" | "lens-focus";

export interface FullFieldOptions {
  grid: Grid;
  /** One wavelength per batch item. */
  wavelengths_m: readonly number[];
  distance_m: number;
  method: FullFieldMethod;
  /** Zero-padding factor: the FFT grid has padding * N samples per side (2 avoids circular wrap-around). */
  padding: number;
  /** Angular spectrum only: apply the Matsushima band limit (default true; false keeps energy exactly). */
  bandLimit?: boolean;
}

/** Fresnel transfer function is unaliased up to this distance (Voelz): P dx^2 / lambda. */
export function fresnelCriticalDistance_m(paddedSize: number, pitch_m: number, wavelength_m: number): number {
  return (paddedSize * pitch_m * pitch_m) / wavelength_m;
}

/** Picks the Fresnel variant that is unaliased at this distance. */
export function fresnelMethodFor(paddedSize: number, pitch_m: number, wavelength_m: number, distance_m: number): FullFieldMethod {
  return distance_m <= fresnelCriticalDistance_m(paddedSize, pitch_m, wavelength_m) ? "fresnel-tf" : "fresnel-ir";
}

/** Band-limit frequency of the angular spectrum on a padded window of side L (cycles per metre). */
export function asmBandLimit_perM(wavelength_m: number, distance_m: number, paddedExtent_m: number): number {
  return 1 / (wavelength_m * Math.sqrt((2 * distance_m / paddedExtent_m) ** 2 + 1));
}

/** Frequency of FFT bin u (FFT order) on P samples at pitch dx. */
function binFrequency(u: number, paddedSize: number, pitch_m: number): number {
  return (u < Math.ceil(paddedSize / 2) ? u : u - paddedSize) / (paddedSize * pitch_m);
}

function checkSampling(method: FullFieldMethod, paddedSize: number, pitch_m: number, wavelength_m: number, distance_m: number): void {
  const critical = fresnelCriticalDistance_m(paddedSize, pitch_m, wavelength_m);
  const where = `(P = ${paddedSize} padded samples, dx = ${pitch_m} m, lambda = ${wavelength_m} m)`;
  if (method === "fresnel-tf" && distance_m > critical) {
    throw new Error(
      `fresnel-tf: distance_m = ${distance_m} exceeds P dx^2 / lambda = ${critical.toPrecision(4)} m ${where}; the transfer function aliases there: use fresnel-ir (or method fresnel, which picks it), asm, or more padding`,
    );
  }
  if (method === "fresnel-ir" && distance_m < critical) {
    throw new Error(
      `fresnel-ir: distance_m = ${distance_m} is below P dx^2 / lambda = ${critical.toPrecision(4)} m ${where}; the impulse-response chirp is undersampled there: use fresnel-tf (or method fresnel, which picks it), asm, or a finer pitch`,
    );
  }
  if (method === "asm") {
    const limit = asmBandLimit_perM(wavelength_m, distance_m, paddedSize * pitch_m);
    if (limit < 2 / (paddedSize * pitch_m)) {
      throw new Error(
        `asm: distance_m = ${distance_m} is so large for this window that the band limit keeps under two frequency bins ${where}; use more padding, fresnel-ir or lens-focus`,
      );
    }
  }
}

/** Writes the transfer function (FFT order, P x P, into zeros `h`) of one convolution propagator at one wavelength. */
function transferFunction(
  method: Exclude<FullFieldMethod, "lens-focus">,
  paddedSize: number,
  pitch_m: number,
  wavelength_m: number,
  distance_m: number,
  bandLimit: boolean,
  ops: ComplexOps,
  h: PlanarComplex,
): void {
  const P = paddedSize;
  if (method === "fresnel-ir") {
    // Sampled impulse response exp(i pi r^2 / (lambda z)) dx^2 / (lambda z), shifted so r = 0 is index 0;
    // the constant exp(i k z) / i is dropped (unimodular).
    const scale = (pitch_m * pitch_m) / (wavelength_m * distance_m);
    const centre = Math.floor(P / 2);
    for (let r = 0; r < P; r++) {
      const y = (r - centre) * pitch_m;
      const row = ((r - centre + P) % P) * P;
      for (let c = 0; c < P; c++) {
        const x = (c - centre) * pitch_m;
        const phase = (Math.PI * (x * x + y * y)) / (wavelength_m * distance_m);
        const index = row + ((c - centre + P) % P);
        h.re[index] = scale * Math.cos(phase);
        h.im[index] = scale * Math.sin(phase);
      }
    }
    ops.fft2d(h, 1, P, P, false);
    return;
  }
  const limit = asmBandLimit_perM(wavelength_m, distance_m, P * pitch_m);
  const inverseWavelengthSq = 1 / (wavelength_m * wavelength_m);
  for (let v = 0; v < P; v++) {
    const fy = binFrequency(v, P, pitch_m);
    for (let u = 0; u < P; u++) {
      const fx = binFrequency(u, P, pitch_m);
      const index = v * P + u;
      let phase: number;
      let magnitude = 1;
      if (method === "fresnel-tf") {
        phase = -Math.PI * wavelength_m * distance_m * (fx * fx + fy * fy);
      } else {
        if (bandLimit && (Math.abs(fx) > limit || Math.abs(fy) > limit)) continue;
        const kzSq = inverseWavelengthSq - fx * fx - fy * fy;
        if (kzSq >= 0) {
          // exp(i 2 pi z (sqrt(1/lambda^2 - f^2) - 1/lambda)): the global exp(i k z) is dropped.
          phase = 2 * Math.PI * distance_m * (Math.sqrt(kzSq) - 1 / wavelength_m);
        } else {
          phase = -2 * Math.PI * distance_m / wavelength_m;
          magnitude = Math.exp(-2 * Math.PI * distance_m * Math.sqrt(-kzSq));
        }
      }
      h.re[index] = magnitude * Math.cos(phase);
      h.im[index] = magnitude * Math.sin(phase);
    }
  }
}

/** Circular shift of each P x P plane by `shift` in both axes: y[r, c] = x[r - shift, c - shift]. */
function roll(x: PlanarComplex, batch: number, size: number, shift: number): PlanarComplex {
  const out = complexZeros(batch * size * size);
  const s = ((shift % size) + size) % size;
  for (let b = 0; b < batch; b++) {
    const base = b * size * size;
    for (let r = 0; r < size; r++) {
      const src = base + ((r - s + size) % size) * size;
      const dst = base + r * size;
      for (let c = 0; c < size; c++) {
        const from = src + ((c - s + size) % size);
        out.re[dst + c] = x.re[from];
        out.im[dst + c] = x.im[from];
      }
    }
  }
  return out;
}

export class FullFieldPropagator implements OpticalOperator {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly outputPitch_m: number;
  readonly wavelengths_m: readonly number[];
  readonly method: FullFieldMethod;
  readonly paddedSize: number;
  /** Transfer functions of the convolution methods, one P x P plane per distinct wavelength. */
  private readonly kernels: PlanarComplex;
  private readonly kernelOf: Int32Array;
  private readonly lensScale: number[] = [];

  constructor(options: FullFieldOptions, private readonly ops: ComplexOps = getComplexOps()) {
    const { grid, method } = options;
    const distance_m = requireDistance_m(options.distance_m, "distance_m");
    const padding = requirePositiveInteger(options.padding, "padding");
    if (options.wavelengths_m.length === 0) throw new Error("wavelengths_m: give one wavelength per batch item");
    options.wavelengths_m.forEach((w, b) => requireWavelength_m(w, `wavelengths_m[${b}]`));
    this.method = method;
    this.inputSize = grid.size;
    this.outputSize = grid.size;
    this.paddedSize = grid.size * padding;
    this.wavelengths_m = [...options.wavelengths_m];
    const groups = groupByWavelength(this.wavelengths_m);
    this.kernelOf = new Int32Array(this.wavelengths_m.length);
    groups.forEach((group, g) => group.items.forEach((b) => (this.kernelOf[b] = g)));
    if (method === "lens-focus") {
      const pitches = groups.map((g) => (g.wavelength_m * distance_m) / (this.paddedSize * grid.pitch_m));
      if (pitches.some((p) => Math.abs(p - pitches[0]) > 1e-12 * pitches[0])) {
        throw new Error("lens-focus: the output pitch lambda z / (P dx) depends on the wavelength; run one wavelength per operator");
      }
      this.outputPitch_m = pitches[0];
      for (const group of groups) this.lensScale.push((grid.pitch_m * grid.pitch_m) / (group.wavelength_m * distance_m));
      this.kernels = complexZeros(0);
    } else {
      this.outputPitch_m = grid.pitch_m;
      const plane = this.paddedSize * this.paddedSize;
      this.kernels = complexZeros(groups.length * plane);
      groups.forEach((group, g) => {
        checkSampling(method, this.paddedSize, grid.pitch_m, group.wavelength_m, distance_m);
        const h = planeOf(this.kernels, g, plane);
        transferFunction(method, this.paddedSize, grid.pitch_m, group.wavelength_m, distance_m, options.bandLimit ?? true, ops, h);
      });
    }
  }

  get batch(): number {
    return this.wavelengths_m.length;
  }

  forward(field: PlanarComplex): PlanarComplex {
    return this.apply(field, false, complexZeros(field.re.length));
  }

  adjoint(gradient: PlanarComplex, out: PlanarComplex = complexZeros(gradient.re.length)): PlanarComplex {
    return this.apply(gradient, true, out);
  }

  private apply(x: PlanarComplex, adjoint: boolean, output: PlanarComplex): PlanarComplex {
    const N = this.inputSize;
    const P = this.paddedSize;
    const B = this.batch;
    if (x.re.length !== B * N * N) throw new Error(`propagator: expected ${B} fields of ${N}x${N}, got ${x.re.length} values`);
    if (output.re.length !== B * N * N || output.im.length !== B * N * N) throw new Error(`propagator: out must hold ${B} fields of ${N}x${N}`);
    if (this.method === "lens-focus") {
      let padded = resizeCentredComplex(x, { count: B, size: N }, P);
      // forward = s C fftshift F ifftshift Z; adjoint = s Z^H fftshift F^H ifftshift C^H, F^H = P^2 F^-1.
      const centre = Math.floor(P / 2);
      padded = roll(padded, B, P, -centre);
      this.ops.fft2d(padded, B, P, P, adjoint);
      padded = roll(padded, B, P, centre);
      const cropped = resizeCentredComplex(padded, { count: B, size: P }, N);
      for (let b = 0; b < B; b++) {
        const scale = this.lensScale[this.kernelOf[b]] * (adjoint ? P * P : 1);
        for (let i = b * N * N; i < (b + 1) * N * N; i++) {
          output.re[i] = scale * cropped.re[i];
          output.im[i] = scale * cropped.im[i];
        }
      }
      return output;
    }
    // forward = C F^-1 H F Z; adjoint = Z^H F^-1 conj(H) F C^H.
    this.ops.paddedConvolution({ input: x, output, batch: B, size: N, paddedSize: P, kernels: this.kernels, kernelOf: this.kernelOf, conjugate: adjoint });
    return output;
  }
}
