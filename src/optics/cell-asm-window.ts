import type { ComplexOps, PlanarComplex } from "../engine/complex/complex-ops.js";
import { getComplexOps } from "../engine/complex/select.js";
import { complexZeros, Grid } from "./grid.js";
import { resizeCentredComplex } from "./plane-stack.js";
import type { SensorWindow } from "./pixel-quadrature.js";
import { asmBandLimit_perM } from "./propagation.js";
import { SensorIntegration } from "./sensor-integration.js";
import { requireDistance_m, requireWavelength_m } from "./units.js";

/**
 * Reference PSF windows by the band-limited angular spectrum of piecewise-constant cells, integrated over
 * the sensor pixels: the same cell model as the window transform (FresnelWindowOperator), exact scalar
 * diffraction instead of its kernel, so the two compare like with like.
 *
 * The field u(xi) = sum_n t_n rect((xi - xi_n) / dx) has the spectrum dx^2 sinc(fx dx) sinc(fy dx) T(f),
 * T the DTFT of the cell values, periodic in 1 / dx (computed by one padded FFT, frequency step 1 / (P dx)).
 * Frequencies beyond the cell Nyquist 1 / (2 dx) are kept as T's replicas (the grating orders), so a lens
 * chirp undersampled at the cell pitch still focuses. The propagated spectrum is summed directly at the
 * window's Gauss-Legendre nodes (a separable matrix DFT) and the intensity integrated with their weights.
 * Frequencies are kept up to the direction that reaches the window edge from the aperture edge, times
 * (1 + frequencyMargin), and at most the Matsushima band limit of the padded window.
 * Cost per field: a P^2 FFT (P padded cells per side) plus Q^2 S complex multiply-adds (Q kept frequencies, S samples per side).
 */
export interface CellAsmWindowOptions {
  grid: Grid;
  wavelength_m: number;
  distance_m: number;
  window: SensorWindow;
  /**
   * The FFT grid spans padding x N cells plus the window's width (default padding 1.5): the window sees
   * the light that lands one grid width away as wrap-around, so that width must exceed the reach of the
   * scattered light and of the grating orders (lambda z / dx) that matter.
   */
  padding?: number;
  /** Relative frequency margin beyond the directions that reach the window; default 0.25. */
  frequencyMargin?: number;
  /**
   * Round the padded grid up to a length of factors 2, 3 and 5 (more padding, never less), which the FFTs
   * transform fast (1565 = 5 x 313 took 2.8 s, 1600 0.13 s): for a convergence check, whose exact padding
   * does not matter. Default false (the grid as asked).
   */
  fastFftLength?: boolean;
}

export class CellAsmWindow {
  readonly frequencies: number;
  private readonly paddedSize: number;
  private readonly transfer: PlanarComplex;
  /** W[m, j] = df dx sinc(f_j dx) exp(i 2 pi f_j (x_m + centre offset)), S x Q. */
  private readonly evaluation: PlanarComplex;
  private readonly sensor: SensorIntegration;
  private readonly grid: Grid;
  private readonly samples: number;

  constructor(options: CellAsmWindowOptions, private readonly ops: ComplexOps = getComplexOps()) {
    const { grid, window } = options;
    const wavelength_m = requireWavelength_m(options.wavelength_m, "wavelength_m");
    const distance_m = requireDistance_m(options.distance_m, "distance_m");
    const padding = options.padding ?? 1.5;
    if (!(padding >= 1)) throw new Error(`padding must be a number >= 1, got ${padding}`);
    const margin = options.frequencyMargin ?? 0.25;
    if (!(margin >= 0)) throw new Error(`frequencyMargin must be >= 0, got ${margin}`);
    this.grid = grid;
    const asked = Math.round(padding * grid.size + (window.pixels * window.pitch_m) / grid.pitch_m);
    const P = (this.paddedSize = options.fastFftLength ? fastFftLength(asked) : asked);
    const dx = grid.pitch_m;
    const df = 1 / (P * dx);
    const reach_m = (grid.size / 2 + 1) * dx + (window.pixels / 2 + 1) * window.pitch_m;
    const reachFrequency = reach_m / (wavelength_m * Math.hypot(distance_m, reach_m));
    const limit = Math.min(asmBandLimit_perM(wavelength_m, distance_m, P * dx), (1 + margin) * reachFrequency);
    const J = Math.floor(limit / df);
    const Q = (this.frequencies = 2 * J + 1);
    const frequency = (j: number) => (j - J) * df;
    // H(fx, fy) = exp(i 2 pi z (sqrt(1 / lambda^2 - f^2) - 1 / lambda)) inside the band (the global exp(i k z) dropped).
    this.transfer = complexZeros(Q * Q);
    for (let a = 0; a < Q; a++) {
      for (let b = 0; b < Q; b++) {
        const kzSq = 1 / wavelength_m ** 2 - frequency(a) ** 2 - frequency(b) ** 2;
        if (kzSq <= 0) continue;
        const phase = 2 * Math.PI * distance_m * (Math.sqrt(kzSq) - 1 / wavelength_m);
        this.transfer.re[a * Q + b] = Math.cos(phase);
        this.transfer.im[a * Q + b] = Math.sin(phase);
      }
    }
    // The padded FFT puts the optical axis at index floor(P / 2): its DFT is T(f_j) exp(-i 2 pi j floor(P / 2) / P).
    const coordinates = window.nodeCoordinates_m();
    const S = (this.samples = coordinates.length);
    const centre = Math.floor(P / 2);
    this.evaluation = complexZeros(S * Q);
    for (let j = 0; j < Q; j++) {
      const f = frequency(j);
      const arg = Math.PI * f * dx;
      const cell = df * dx * (arg === 0 ? 1 : Math.sin(arg) / arg);
      for (let m = 0; m < S; m++) {
        const phase = 2 * Math.PI * (f * coordinates[m] + ((j - J) * centre) / P);
        this.evaluation.re[m * Q + j] = cell * Math.cos(phase);
        this.evaluation.im[m * Q + j] = cell * Math.sin(phase);
      }
    }
    this.sensor = SensorIntegration.quadrature(window);
  }

  /** Pixel energies [pixels, pixels] (unit incident intensity: J per unit of the field squared) of one N x N field. */
  energies(field: PlanarComplex): Float32Array {
    const N = this.grid.size;
    if (field.re.length !== N * N) throw new Error(`cell ASM window: expected one ${N}x${N} field, got ${field.re.length} values`);
    const P = this.paddedSize;
    const Q = this.frequencies;
    const J = (Q - 1) / 2;
    const spectrum = resizeCentredComplex(field, { count: 1, size: N }, P);
    this.ops.fft2d(spectrum, 1, P, P, false);
    // Replicas of the periodic DTFT times the transfer function on the Q x Q kept frequencies.
    const propagated = complexZeros(Q * Q);
    for (let a = 0; a < Q; a++) {
      const row = ((((a - J) % P) + P) % P) * P;
      for (let b = 0; b < Q; b++) {
        const from = row + ((((b - J) % P) + P) % P);
        const hr = this.transfer.re[a * Q + b];
        const hi = this.transfer.im[a * Q + b];
        const tr = spectrum.re[from];
        const ti = spectrum.im[from];
        propagated.re[a * Q + b] = tr * hr - ti * hi;
        propagated.im[a * Q + b] = tr * hi + ti * hr;
      }
    }
    // U = W H W^T over (fy, fx): first R = (T H) W^T (Q x S), then W R.
    const S = this.samples;
    const half = complexZeros(Q * S);
    const observed = complexZeros(S * S);
    const common = { batch: 1, accumulate: false, strideA: 0, strideB: 0, strideC: 0 };
    this.ops.gemm({ ...common, m: Q, n: S, k: Q, a: propagated, b: this.evaluation, c: half, opA: "N", opB: "T" });
    this.ops.gemm({ ...common, m: S, n: S, k: Q, a: this.evaluation, b: half, c: observed, opA: "N", opB: "N" });
    return this.sensor.fieldEnergy(observed, 1);
  }
}

/** The smallest length >= n whose prime factors are 2, 3 and 5. */
function fastFftLength(n: number): number {
  for (let length = Math.max(1, n); ; length++) {
    let rest = length;
    for (const factor of [2, 3, 5]) while (rest % factor === 0) rest /= factor;
    if (rest === 1) return length;
  }
}
