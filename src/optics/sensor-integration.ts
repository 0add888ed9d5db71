import type { PlanarComplex } from "../engine/complex/complex-ops.js";
import { complexZeros } from "./grid.js";
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

/**
 * Integrates intensity samples over sensor pixels (energy kept): each input sample stands for a
 * d x d patch around its position, and pixel (i, j) receives d^2 times the intensity of every patch,
 * weighted by the fraction of the patch inside the pixel. Separable, so both axes use one weight list.
 * With p = S d and samples aligned to pixels (sensorSampleCoordinates_m) it is plain S x S block summing.
 * Pixel j is centred at (j - floor(pixels / 2)) * sensorPitch_m.
 */
export class SensorIntegration {
  readonly inputSize: number;
  readonly pixels: number;
  private readonly area_m2: number;
  /** For each pixel, the input samples it overlaps and their overlap fractions. */
  private readonly taps: { index: Int32Array; weight: Float64Array }[];
  /** Pixels coincide with the samples (full-field PSFs at the sample pitch): integration is a scaling. */
  private readonly identity: boolean;

  constructor(inputCoordinates_m: Float64Array, inputPitch_m: number, pixels: number, sensorPitch_m: number) {
    requirePitch_m(inputPitch_m, "inputPitch_m");
    requirePitch_m(sensorPitch_m, "sensorPitch_m");
    this.pixels = requirePositiveInteger(pixels, "pixels");
    this.inputSize = inputCoordinates_m.length;
    this.area_m2 = inputPitch_m * inputPitch_m;
    this.taps = [];
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
      this.taps.push({ index: Int32Array.from(index), weight: Float64Array.from(weight) });
    }
    this.identity = pixels === this.inputSize && this.taps.every((t, j) => t.index.length === 1 && t.index[0] === j && t.weight[0] === 1);
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
