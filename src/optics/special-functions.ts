/** Special functions for the closed forms the optics is validated against and for the pillar model. */

/** Bessel function of the first kind J_n by its power series (accurate for the |x| < 10 used here). */
export function besselJ(order: number, x: number): number {
  let term = (x / 2) ** order;
  for (let k = 1; k <= order; k++) term /= k;
  let sum = term;
  for (let m = 1; m < 80; m++) {
    term *= -((x / 2) ** 2) / (m * (m + order));
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return sum;
}

/** Modified Bessel function of the second kind K_n(x) = integral_0^inf exp(-x cosh t) cosh(n t) dt, x > 0. */
export function besselK(order: number, x: number): number {
  const end = Math.acosh(50 / x + 1);
  const steps = 2000;
  const h = end / steps;
  let sum = 0.5 * Math.exp(-x);
  for (let i = 1; i <= steps; i++) {
    const t = i * h;
    sum += (i === steps ? 0.5 : 1) * Math.exp(-x * Math.cosh(t)) * Math.cosh(order * t);
  }
  return sum * h;
}

/** Fresnel integrals C(x) + i S(x) = integral_0^x exp(i pi t^2 / 2) dt, by composite 8-point Gauss-Legendre. */
export function fresnelIntegrals(x: number): { c: number; s: number } {
  // Sub-intervals short against the local period 2 / t of the integrand.
  const intervals = Math.max(4, Math.ceil((Math.abs(x) * (1 + Math.abs(x))) / 0.25));
  const h = x / intervals;
  let c = 0;
  let s = 0;
  for (let i = 0; i < intervals; i++) {
    const mid = (i + 0.5) * h;
    for (let q = 0; q < GAUSS_NODES.length; q++) {
      const t = mid + 0.5 * h * GAUSS_NODES[q];
      const w = 0.5 * h * GAUSS_WEIGHTS[q];
      c += w * Math.cos((Math.PI * t * t) / 2);
      s += w * Math.sin((Math.PI * t * t) / 2);
    }
  }
  return { c, s };
}

const GAUSS_NODES = [-0.9602898564975363, -0.7966664774136267, -0.5255324099163290, -0.1834346424956498, 0.1834346424956498, 0.5255324099163290, 0.7966664774136267, 0.9602898564975363];
const GAUSS_WEIGHTS = [0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.3626837833783620, 0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763];

const HALF_PI = Math.PI / 2;
const INVERSE_HALF_PI = 2 / Math.PI;
/** Beyond this |phase| the reduction below loses more than float32 precision; Math.cos/sin take over. */
const REDUCTION_LIMIT = 1e6;

/**
 * re + i im = exp(i phase) for float32 phases, about twice as fast as Math.cos and Math.sin: the
 * phase is reduced to r in [-pi/4, pi/4] around the nearest multiple k pi/2, cos r and sin r come from
 * their Taylor series to r^12 and r^11 (truncation < 1e-11), and the quadrant's rotation is applied
 * without branches. The native engine runs the same steps (src/engine/native/src/unit_phasor.cc).
 */
export function unitPhasor(phase: Float32Array, re: Float32Array, im: Float32Array): void {
  for (let i = 0; i < phase.length; i++) {
    const x = phase[i];
    if (!(Math.abs(x) < REDUCTION_LIMIT)) {
      re[i] = Math.cos(x);
      im[i] = Math.sin(x);
      continue;
    }
    const k = Math.floor(x * INVERSE_HALF_PI + 0.5);
    const r = x - k * HALF_PI;
    const r2 = r * r;
    const sin = r * (1 + r2 * (-1 / 6 + r2 * (1 / 120 + r2 * (-1 / 5040 + r2 * (1 / 362880 - r2 / 39916800)))));
    const cos = 1 + r2 * (-1 / 2 + r2 * (1 / 24 + r2 * (-1 / 720 + r2 * (1 / 40320 + r2 * (-1 / 3628800 + r2 / 479001600)))));
    // Rotation by k pi / 2: odd k swaps cos and sin, k mod 4 >= 2 flips both signs.
    const quadrant = k & 3;
    const odd = quadrant & 1;
    const sign = 1 - (quadrant & 2);
    re[i] = sign * (cos - odd * (sin + cos));
    im[i] = sign * (sin + odd * (cos - sin));
  }
}
