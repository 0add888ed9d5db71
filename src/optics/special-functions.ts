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
