import type { PlanarComplex } from "../engine/complex/complex-ops.js";
import { complexZeros } from "./grid.js";
import type { SensorWindow } from "./pixel-quadrature.js";
import { requirePitch_m, requirePositiveInteger } from "./units.js";

// Elementwise helpers as plain loops over their arrays (TypedArray.map with a closure, or loops over
// arrays captured by a closure, run several times slower).

/** factor * x as a new array. */
function scaled(x: Float32Array, factor: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = factor * x[i];
  return out;
}

/** factor * |u|^2. */
function squaredMagnitude(u: PlanarComplex, factor: number): Float32Array {
  const { re, im } = u;
  const out = new Float32Array(re.length);
  for (let i = 0; i < out.length; i++) out[i] = factor * (re[i] * re[i] + im[i] * im[i]);
  return out;
}

/** out = factor * g * u for real g. */
function weightedField(g: Float32Array, u: PlanarComplex, factor: number, out: PlanarComplex): PlanarComplex {
  const { re, im } = u;
  const { re: outRe, im: outIm } = out;
  for (let i = 0; i < g.length; i++) {
    const weight = factor * g[i];
    outRe[i] = weight * re[i];
    outIm[i] = weight * im[i];
  }
  return out;
}

/** The input samples one pixel integrates and their weights (fractions of the pixel or patch area per axis). */
interface PixelTaps {
  index: Int32Array;
  weight: Float64Array;
}

/**
 * Integrates intensity samples over sensor pixels, separably (both axes use one tap list): pixel (i, j)
 * receives area_m2 * sum over its taps of w_i w_j I. Pixel j is centred at (j - floor(pixels / 2)) * sensorPitch_m.
 * - `overlapping`: each input sample stands for a d x d patch around its position, weighted by the
 *   fraction of the patch inside the pixel (energy kept; full-field PSFs on their own sample grid);
 * - `quadrature`: the samples are a SensorWindow's Gauss-Legendre nodes, weighted by the rule.
 */
export class SensorIntegration {
  readonly inputSize: number;
  readonly pixels: number;
  private readonly area_m2: number;
  /** For each pixel, the input samples it integrates and their weights. */
  private readonly taps: PixelTaps[];
  /** Pixels coincide with the samples (full-field PSFs at the sample pitch): integration is a scaling. */
  private readonly identity: boolean;

  private constructor(inputSize: number, area_m2: number, taps: PixelTaps[]) {
    this.inputSize = inputSize;
    this.pixels = taps.length;
    this.area_m2 = area_m2;
    this.taps = taps;
    this.identity = this.pixels === inputSize && taps.every((t, j) => t.index.length === 1 && t.index[0] === j && t.weight[0] === 1);
  }

  /** Samples at `inputCoordinates_m`, each standing for a patch of `inputPitch_m`, integrated by their overlap with the pixels. */
  static overlapping(inputCoordinates_m: Float64Array, inputPitch_m: number, pixels: number, sensorPitch_m: number): SensorIntegration {
    requirePitch_m(inputPitch_m, "inputPitch_m");
    requirePitch_m(sensorPitch_m, "sensorPitch_m");
    requirePositiveInteger(pixels, "pixels");
    const taps: PixelTaps[] = [];
    for (let j = 0; j < pixels; j++) {
      const centre = (j - Math.floor(pixels / 2)) * sensorPitch_m;
      const low = centre - sensorPitch_m / 2;
      const high = centre + sensorPitch_m / 2;
      const index: number[] = [];
      const weight: number[] = [];
      inputCoordinates_m.forEach((x, r) => {
        const overlap = Math.min(high, x + inputPitch_m / 2) - Math.max(low, x - inputPitch_m / 2);
        // Rounding at shared edges leaves slivers of ~1e-12 of a pitch; they are not overlaps, and a
        // whole patch short by such a sliver is whole (so coinciding grids are recognised as the identity).
        if (overlap > 1e-9 * inputPitch_m) {
          index.push(r);
          weight.push(overlap > (1 - 1e-9) * inputPitch_m ? 1 : overlap / inputPitch_m);
        }
      });
      taps.push({ index: Int32Array.from(index), weight: Float64Array.from(weight) });
    }
    return new SensorIntegration(inputCoordinates_m.length, inputPitch_m * inputPitch_m, taps);
  }

  /** Samples at the window's nodes (SensorWindow.nodeCoordinates_m), integrated with its Gauss-Legendre weights. */
  static quadrature(window: SensorWindow): SensorIntegration {
    const n = window.nodesPerPixel;
    const weight = window.nodeWeights();
    const taps = Array.from({ length: window.pixels }, (_, j) => ({ index: Int32Array.from({ length: n }, (_, s) => j * n + s), weight }));
    return new SensorIntegration(window.samples, window.pitch_m * window.pitch_m, taps);
  }

  /** Pixel energies of the intensity |u|^2 of fields u [batch, R, R] (one pass when pixels coincide with samples). */
  fieldEnergy(u: PlanarComplex, batch: number): Float32Array {
    if (this.identity) return squaredMagnitude(u, this.area_m2);
    return this.forward(squaredMagnitude(u, 1), batch);
  }

  /**
   * The vjp of fieldEnergy: given g = dL/d(pixel energies), G_u = 2 dL/d(conj u) = 2 adjoint(g) u,
   * since d|u|^2 = 2 Re(conj(u) du). Written into `out` (the size of u) when given.
   */
  fieldEnergyVjp(gradient: Float32Array, u: PlanarComplex, batch: number, out: PlanarComplex = complexZeros(u.re.length)): PlanarComplex {
    if (out.re.length !== u.re.length || out.im.length !== u.re.length) throw new Error(`fieldEnergyVjp: out must hold ${u.re.length} values like u`);
    if (this.identity) return weightedField(gradient, u, 2 * this.area_m2, out);
    return weightedField(this.adjoint(gradient, batch), u, 2, out);
  }

  /** intensity [batch, R, R] -> pixel energies [batch, pixels, pixels]. */
  forward(intensity: Float32Array, batch: number): Float32Array {
    const R = this.inputSize;
    const M = this.pixels;
    if (this.identity) return scaled(intensity, this.area_m2);
    const rows = new Float64Array(R * M);
    const out = new Float32Array(batch * M * M);
    for (let b = 0; b < batch; b++) {
      const base = b * R * R;
      for (let s = 0; s < R; s++) {
        for (let j = 0; j < M; j++) {
          const { index, weight } = this.taps[j];
          let sum = 0;
          for (let t = 0; t < index.length; t++) sum += weight[t] * intensity[base + s * R + index[t]];
          rows[s * M + j] = sum;
        }
      }
      for (let i = 0; i < M; i++) {
        const { index, weight } = this.taps[i];
        for (let j = 0; j < M; j++) {
          let sum = 0;
          for (let t = 0; t < index.length; t++) sum += weight[t] * rows[index[t] * M + j];
          out[b * M * M + i * M + j] = this.area_m2 * sum;
        }
      }
    }
    return out;
  }

  /** Adjoint: pixel gradients [batch, pixels, pixels] -> intensity gradients [batch, R, R]. */
  adjoint(gradient: Float32Array, batch: number): Float32Array {
    const R = this.inputSize;
    const M = this.pixels;
    if (this.identity) return scaled(gradient, this.area_m2);
    const rows = new Float64Array(R * M);
    const out = new Float32Array(batch * R * R);
    for (let b = 0; b < batch; b++) {
      rows.fill(0);
      for (let i = 0; i < M; i++) {
        const { index, weight } = this.taps[i];
        for (let t = 0; t < index.length; t++) {
          for (let j = 0; j < M; j++) rows[index[t] * M + j] += weight[t] * gradient[b * M * M + i * M + j];
        }
      }
      const base = b * R * R;
      for (let s = 0; s < R; s++) {
        for (let j = 0; j < M; j++) {
          const value = this.area_m2 * rows[s * M + j];
          if (value === 0) continue;
          const { index, weight } = this.taps[j];
          for (let t = 0; t < index.length; t++) out[base + s * R + index[t]] += weight[t] * value;
        }
      }
    }
    return out;
  }
}
