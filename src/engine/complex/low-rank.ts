import type { PlanarComplex } from "./complex-ops.js";

/** A complex matrix in float64, row-major. */
export interface ComplexMatrix64 {
  rows: number;
  cols: number;
  re: Float64Array;
  im: Float64Array;
}

/**
 * Eigenvalues (descending) and orthonormal eigenvectors (the columns of `vectors`, n x n) of a Hermitian
 * n x n matrix, by cyclic complex Jacobi rotations in float64: each rotation first turns the phase out of
 * a_pq, then zeroes it as the real method does. Sweeps until the off-diagonal part is below 1e-15 of the
 * whole (Jacobi keeps small eigenvalues accurate relative to the largest, which is what truncation needs).
 */
export function hermitianEigen(matrix: ComplexMatrix64): { values: Float64Array; vectors: ComplexMatrix64 } {
  const n = matrix.rows;
  if (matrix.cols !== n) throw new Error(`hermitianEigen: the matrix must be square, got ${matrix.rows} x ${matrix.cols}`);
  const re = Float64Array.from(matrix.re);
  const im = Float64Array.from(matrix.im);
  const vRe = new Float64Array(n * n);
  const vIm = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vRe[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += re[i] ** 2 + im[i] ** 2;
  // x_p, x_q (the entries at p(k) = k * step + p * across, likewise q) become c x_p - s w x_q and
  // s x_p + c w x_q: with step n, across 1 the columns of A J (and of the eigenvectors), w = e^{-i phi};
  // with step 1, across n the rows of J^H (A J), w = e^{+i phi}.
  const rotate = (xRe: Float64Array, xIm: Float64Array, step: number, across: number, p: number, q: number, c: number, s: number, wRe: number, wIm: number) => {
    for (let k = 0, ip = p * across, iq = q * across; k < n; k++, ip += step, iq += step) {
      const pr = xRe[ip], pi = xIm[ip], qr = xRe[iq], qi = xIm[iq];
      const tr = qr * wRe - qi * wIm;
      const ti = qr * wIm + qi * wRe;
      xRe[ip] = c * pr - s * tr;
      xIm[ip] = c * pi - s * ti;
      xRe[iq] = s * pr + c * tr;
      xIm[iq] = s * pi + c * ti;
    }
  };
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * (re[p * n + q] ** 2 + im[p * n + q] ** 2);
    if (off <= 1e-30 * total) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const magnitude = Math.hypot(re[p * n + q], im[p * n + q]);
        // Below this the rotation would not change the float64 diagonal.
        if (magnitude <= 1e-17 * Math.sqrt(Math.abs(re[p * n + p] * re[q * n + q]))) continue;
        const cosPhi = re[p * n + q] / magnitude;
        const sinPhi = im[p * n + q] / magnitude;
        const theta = (re[q * n + q] - re[p * n + p]) / (2 * magnitude);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        rotate(re, im, n, 1, p, q, c, s, cosPhi, -sinPhi);
        rotate(re, im, 1, n, p, q, c, s, cosPhi, sinPhi);
        rotate(vRe, vIm, n, 1, p, q, c, s, cosPhi, -sinPhi);
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => re[b * n + b] - re[a * n + a]);
  const vectors: ComplexMatrix64 = { rows: n, cols: n, re: new Float64Array(n * n), im: new Float64Array(n * n) };
  order.forEach((from, to) => {
    for (let k = 0; k < n; k++) {
      vectors.re[k * n + to] = vRe[k * n + from];
      vectors.im[k * n + to] = vIm[k * n + from];
    }
  });
  return { values: Float64Array.from(order, (i) => re[i * n + i]), vectors };
}

/** A complex rows x cols matrix held in planar float32 or float64 arrays, row-major. */
export interface ComplexMatrixView {
  rows: number;
  cols: number;
  re: ArrayLike<number>;
  im: ArrayLike<number>;
}

/**
 * The singular values of E (descending) and singular vectors on its smaller side: the columns of `basis`,
 * n x n with n = min(rows, cols), left singular vectors when side is "left" (rows <= cols), right ones
 * otherwise; from the Hermitian eigenproblem of E E^H or E^H E in float64, so singular values from ~1e-8
 * of the largest upward come out accurately (below the float32 rounding of E itself), and the cost is
 * O(n^3) per Jacobi sweep.
 */
export function singularBasis(e: ComplexMatrixView): { singularValues: Float64Array; basis: ComplexMatrix64; side: "left" | "right" } {
  const { rows, cols } = e;
  const side = rows <= cols ? "left" : "right";
  const n = Math.min(rows, cols);
  // Entry (i, l) of E along the summed side and its other index: E[i, l] for the left Gram, E[l, i] for the right one.
  const [length, at] = side === "left" ? [cols, (i: number, l: number) => i * cols + l] : [rows, (i: number, l: number) => l * cols + i];
  const gram: ComplexMatrix64 = { rows: n, cols: n, re: new Float64Array(n * n), im: new Float64Array(n * n) };
  for (let p = 0; p < n; p++) {
    for (let q = p; q < n; q++) {
      let sumRe = 0;
      let sumIm = 0;
      for (let l = 0; l < length; l++) {
        const [ip, iq] = [at(p, l), at(q, l)];
        const [ar, ai, br, bi] = [e.re[ip], e.im[ip], e.re[iq], e.im[iq]];
        sumRe += ar * br + ai * bi;
        sumIm += ai * br - ar * bi;
      }
      // Left: (E E^H)[p, q] = sum E[p, l] conj(E[q, l]); right: (E^H E)[p, q] = sum conj(E[l, p]) E[l, q], its conjugate.
      const imaginary = side === "left" ? sumIm : -sumIm;
      gram.re[p * n + q] = gram.re[q * n + p] = sumRe;
      gram.im[p * n + q] = imaginary;
      gram.im[q * n + p] = -imaginary;
    }
  }
  const { values, vectors } = hermitianEigen(gram);
  return { singularValues: values.map((v) => Math.sqrt(Math.max(v, 0))), basis: vectors, side };
}

/** The smallest rank whose discarded singular values hold at most `tolerance` of E's Frobenius norm. */
export function rankWithin(singularValues: Float64Array, tolerance: number): number {
  if (!(tolerance >= 0 && tolerance < 1)) throw new Error(`rankWithin: tolerance must be in [0, 1), got ${tolerance}`);
  const total = singularValues.reduce((sum, s) => sum + s * s, 0);
  let tail = 0;
  for (let rank = singularValues.length; rank > 0; rank--) {
    tail += singularValues[rank - 1] ** 2;
    if (tail > tolerance * tolerance * total) return rank;
  }
  return 0;
}

/**
 * E ~ P Q (P rows x rank, Q rank x cols), the best rank-`rank` approximation, whose error is the discarded
 * singular values: the projection on the first `rank` singular vectors B of singularBasis, P = B and
 * Q = B^H E for left ones, P = E B and Q = B^H for right ones (no division by small singular values).
 * A rank above min(rows, cols) keeps E exactly, with zero columns of P.
 */
export function lowRankFactors(e: ComplexMatrixView, { basis, side }: Pick<ReturnType<typeof singularBasis>, "basis" | "side">, rank: number): { p: PlanarComplex; q: PlanarComplex } {
  const { rows, cols } = e;
  if (!Number.isInteger(rank) || rank < 1 || rank > rows) throw new Error(`lowRankFactors: rank must be an integer from 1 to ${rows}, got ${rank}`);
  const n = basis.rows;
  const p = { re: new Float32Array(rows * rank), im: new Float32Array(rows * rank) };
  const q = { re: new Float32Array(rank * cols), im: new Float32Array(rank * cols) };
  const [known, made] = side === "left" ? [p, q] : [q, p];
  for (let r = 0; r < Math.min(rank, n); r++) {
    for (let k = 0; k < n; k++) {
      // Left: P[k, r] = B[k, r]; right: Q[r, k] = conj(B[k, r]).
      const at = side === "left" ? k * rank + r : r * cols + k;
      known.re[at] = basis.re[k * n + r];
      known.im[at] = side === "left" ? basis.im[k * n + r] : -basis.im[k * n + r];
    }
    const outer = side === "left" ? cols : rows;
    for (let o = 0; o < outer; o++) {
      let sumRe = 0;
      let sumIm = 0;
      for (let k = 0; k < n; k++) {
        // Left: Q[r, o] = sum conj(B[k, r]) E[k, o]; right: P[o, r] = sum E[o, k] B[k, r].
        const [br, bi] = [basis.re[k * n + r], side === "left" ? -basis.im[k * n + r] : basis.im[k * n + r]];
        const [er, ei] = side === "left" ? [e.re[k * cols + o], e.im[k * cols + o]] : [e.re[o * cols + k], e.im[o * cols + k]];
        sumRe += br * er - bi * ei;
        sumIm += br * ei + bi * er;
      }
      const at = side === "left" ? r * cols + o : o * rank + r;
      made.re[at] = sumRe;
      made.im[at] = sumIm;
    }
  }
  return { p, q };
}
