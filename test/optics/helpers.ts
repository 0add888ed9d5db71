import type { PaddedConvolution, PlanarComplex } from "../../src/engine/complex/complex-ops.js";
import { centreIndex } from "../../src/optics/grid.js";
import { createRandom } from "../../src/util/random.js";

/** Seeded complex test data with entries in [-0.5, 0.5). */
export function randomComplex(length: number, seed: number): PlanarComplex {
  const random = createRandom(seed);
  const re = new Float32Array(length);
  const im = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    re[i] = random() - 0.5;
    im[i] = random() - 0.5;
  }
  return { re, im };
}

export function randomReal(length: number, seed: number, scale = 1): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length }, () => scale * (random() - 0.5));
}

/** Re <x, y> = Re sum conj(x) y, in float64. */
export function realInner(x: PlanarComplex, y: PlanarComplex): number {
  let sum = 0;
  for (let i = 0; i < x.re.length; i++) sum += x.re[i] * y.re[i] + x.im[i] * y.im[i];
  return sum;
}

/** Complex <x, y> = sum conj(x) y as [re, im]. */
export function complexInner(x: PlanarComplex, y: PlanarComplex): [number, number] {
  let re = 0;
  let im = 0;
  for (let i = 0; i < x.re.length; i++) {
    re += x.re[i] * y.re[i] + x.im[i] * y.im[i];
    im += x.re[i] * y.im[i] - x.im[i] * y.re[i];
  }
  return [re, im];
}

/** |<A x, y> - <x, A^H y>| / |<A x, y>| for a linear operator and its adjoint. */
export function adjointMismatch(
  forward: (x: PlanarComplex) => PlanarComplex,
  adjoint: (y: PlanarComplex) => PlanarComplex,
  inputLength: number,
  outputLength: number,
  seed: number,
): number {
  const x = randomComplex(inputLength, seed);
  const y = randomComplex(outputLength, seed + 1);
  const [ar, ai] = complexInner(forward(x), y);
  const [br, bi] = complexInner(x, adjoint(y));
  return Math.hypot(ar - br, ai - bi) / Math.hypot(ar, ai);
}

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** Direct 2-D DFT (the definition) of the rows x cols plane at `offset`, in double precision; inverse scaled by 1/(rows*cols). */
export function directDft(x: PlanarComplex, offset: number, rows: number, cols: number, inverse: boolean): { re: Float64Array; im: Float64Array } {
  const sign = inverse ? 1 : -1;
  const re = new Float64Array(rows * cols);
  const im = new Float64Array(rows * cols);
  for (let u = 0; u < rows; u++) {
    for (let v = 0; v < cols; v++) {
      let sr = 0;
      let si = 0;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const phase = sign * 2 * Math.PI * ((u * r) / rows + (v * c) / cols);
          const xr = x.re[offset + r * cols + c];
          const xi = x.im[offset + r * cols + c];
          sr += xr * Math.cos(phase) - xi * Math.sin(phase);
          si += xr * Math.sin(phase) + xi * Math.cos(phase);
        }
      }
      const scale = inverse ? 1 / (rows * cols) : 1;
      re[u * cols + v] = sr * scale;
      im[u * cols + v] = si * scale;
    }
  }
  return { re, im };
}

/** The padded convolution by its definition: pad, direct DFT, product, inverse direct DFT, crop (float64 sums, float32 between the steps). */
export function directPaddedConvolution(p: Omit<PaddedConvolution, "output">): PlanarComplex {
  const { input, batch, size: N, paddedSize: P, kernels, kernelOf, conjugate } = p;
  const offset = centreIndex(P) - centreIndex(N);
  const out = { re: new Float32Array(batch * N * N), im: new Float32Array(batch * N * N) };
  for (let b = 0; b < batch; b++) {
    const padded = { re: new Float32Array(P * P), im: new Float32Array(P * P) };
    for (let r = 0; r < N; r++) {
      for (let c = 0; c < N; c++) {
        padded.re[(r + offset) * P + c + offset] = input.re[b * N * N + r * N + c];
        padded.im[(r + offset) * P + c + offset] = input.im[b * N * N + r * N + c];
      }
    }
    const spectrum = directDft(padded, 0, P, P, false);
    const product = { re: new Float32Array(P * P), im: new Float32Array(P * P) };
    for (let i = 0; i < P * P; i++) {
      const hr = kernels.re[kernelOf[b] * P * P + i];
      const hi = (conjugate ? -1 : 1) * kernels.im[kernelOf[b] * P * P + i];
      product.re[i] = spectrum.re[i] * hr - spectrum.im[i] * hi;
      product.im[i] = spectrum.re[i] * hi + spectrum.im[i] * hr;
    }
    const field = directDft(product, 0, P, P, true);
    for (let r = 0; r < N; r++) {
      for (let c = 0; c < N; c++) {
        out.re[b * N * N + r * N + c] = field.re[(r + offset) * P + c + offset];
        out.im[b * N * N + r * N + c] = field.im[(r + offset) * P + c + offset];
      }
    }
  }
  return out;
}

/** max |a - b| / max |b|. */
export function relativeError(a: PlanarComplex, b: PlanarComplex): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < b.re.length; i++) {
    scale = Math.max(scale, Math.hypot(b.re[i], b.im[i]));
    worst = Math.max(worst, Math.hypot(a.re[i] - b.re[i], a.im[i] - b.im[i]));
  }
  return worst / scale;
}

/** Phases over many turns, both signs, at and next to multiples of pi/4, and beyond the reduction range. */
export function testPhases(): Float32Array {
  const phases: number[] = [0, -0, 1e-30, 2e6, -3.5e7, 1e20];
  for (let k = -40; k <= 40; k++) {
    const edge = (k * Math.PI) / 4;
    phases.push(edge, Math.fround(edge) + 1e-6, Math.fround(edge) - 1e-6);
  }
  for (let i = 0; i < 20000; i++) phases.push(((i * 7919) % 20000) / 20000 * 400 - 200);
  return Float32Array.from(phases);
}

/** max |a - b| / max |b| over real arrays. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let error = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    error = Math.max(error, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return error / scale;
}
