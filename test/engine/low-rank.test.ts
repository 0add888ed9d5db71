// The factorisation behind the window transform's x-side products: Jacobi eigenvalues of a Hermitian
// matrix, singular values and the rank a tolerance allows, against matrices built with known spectra.
import assert from "node:assert/strict";
import { test } from "node:test";
import { hermitianEigen, lowRankFactors, rankWithin, singularBasis, type ComplexMatrix64 } from "../../src/engine/complex/low-rank.js";

/** The n x n unitary U[j, k] = exp(2 pi i (j k / n + phase_k)) / sqrt(n) (a DFT with its columns turned). */
function unitary(n: number): ComplexMatrix64 {
  const u: ComplexMatrix64 = { rows: n, cols: n, re: new Float64Array(n * n), im: new Float64Array(n * n) };
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < n; k++) {
      const angle = 2 * Math.PI * ((j * k) / n + 0.137 * k * k);
      u.re[j * n + k] = Math.cos(angle) / Math.sqrt(n);
      u.im[j * n + k] = Math.sin(angle) / Math.sqrt(n);
    }
  }
  return u;
}

/** U diag(d) V^H for a rows x rows U and a cols x cols V (d has at most min(rows, cols) values). */
function withSpectrum(u: ComplexMatrix64, d: number[], v: ComplexMatrix64): ComplexMatrix64 {
  const [rows, cols] = [u.rows, v.rows];
  const out: ComplexMatrix64 = { rows, cols, re: new Float64Array(rows * cols), im: new Float64Array(rows * cols) };
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      for (let k = 0; k < d.length; k++) {
        // U[i, k] d_k conj(V[j, k])
        const [ar, ai, br, bi] = [u.re[i * rows + k], u.im[i * rows + k], v.re[j * cols + k], -v.im[j * cols + k]];
        out.re[i * cols + j] += d[k] * (ar * br - ai * bi);
        out.im[i * cols + j] += d[k] * (ar * bi + ai * br);
      }
    }
  }
  return out;
}

test("hermitianEigen recovers the eigenvalues of U diag(d) U^H and vectors with A v = lambda v", () => {
  const n = 12;
  const d = Array.from({ length: n }, (_, k) => (k % 3 === 0 ? -1 : 1) * 10 ** (-k / 2));
  const a = withSpectrum(unitary(n), d, unitary(n));
  const { values, vectors } = hermitianEigen(a);
  const expected = [...d].sort((x, y) => y - x);
  values.forEach((value, k) => assert.ok(Math.abs(value - expected[k]) < 1e-13, `eigenvalue ${k}: ${value} against ${expected[k]}`));
  for (let k = 0; k < n; k++) {
    let residual = 0;
    for (let i = 0; i < n; i++) {
      let re = 0;
      let im = 0;
      for (let j = 0; j < n; j++) {
        re += a.re[i * n + j] * vectors.re[j * n + k] - a.im[i * n + j] * vectors.im[j * n + k];
        im += a.re[i * n + j] * vectors.im[j * n + k] + a.im[i * n + j] * vectors.re[j * n + k];
      }
      residual += (re - values[k] * vectors.re[i * n + k]) ** 2 + (im - values[k] * vectors.im[i * n + k]) ** 2;
    }
    assert.ok(Math.sqrt(residual) < 1e-13, `eigenvector ${k}: residual ${Math.sqrt(residual)}`);
  }
  assert.throws(() => hermitianEigen({ rows: 2, cols: 3, re: new Float64Array(6), im: new Float64Array(6) }), /must be square/);
});

test("singular values, the rank a tolerance allows and the rank-r factors of matrices with a known spectrum, wide and tall", () => {
  for (const [rows, cols] of [[8, 20], [20, 8]]) {
    // Singular values 10^0, 10^-1, ..., 10^-7.
    const sigma = Array.from({ length: 8 }, (_, k) => 10 ** -k);
    const e = withSpectrum(unitary(rows), sigma, unitary(cols));
    const decomposition = singularBasis(e);
    assert.equal(decomposition.side, rows <= cols ? "left" : "right");
    const { singularValues } = decomposition;
    singularValues.forEach((s, k) => assert.ok(Math.abs(s - sigma[k]) < 1e-8 * sigma[0], `${rows}x${cols} singular value ${k}: ${s} against ${sigma[k]}`));
    // Tail norms: sqrt(sum of squares from 10^-r on) / |E| = 10^-r (a geometric series).
    assert.equal(rankWithin(singularValues, 2e-3), 3);
    assert.equal(rankWithin(singularValues, 5e-4), 4);
    assert.equal(rankWithin(singularValues, 0.5), 1);
    assert.throws(() => rankWithin(singularValues, 1), /tolerance must be in \[0, 1\)/);
    for (const rank of [2, 5, 8]) {
      const { p, q } = lowRankFactors(e, decomposition, rank);
      // |E - P Q|_F is the discarded singular values' norm.
      let error = 0;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          let re = e.re[i * cols + j];
          let im = e.im[i * cols + j];
          for (let k = 0; k < rank; k++) {
            re -= p.re[i * rank + k] * q.re[k * cols + j] - p.im[i * rank + k] * q.im[k * cols + j];
            im -= p.re[i * rank + k] * q.im[k * cols + j] + p.im[i * rank + k] * q.re[k * cols + j];
          }
          error += re * re + im * im;
        }
      }
      const tail = Math.sqrt(sigma.slice(rank).reduce((sum, s) => sum + s * s, 0));
      // Float32 factors: their rounding (~1e-7 of the largest value) on top of the tail.
      assert.ok(Math.abs(Math.sqrt(error) - tail) < 1e-6, `${rows}x${cols} rank ${rank}: |E - PQ| = ${Math.sqrt(error)}, tail ${tail}`);
    }
    assert.throws(() => lowRankFactors(e, decomposition, rows + 1), new RegExp(`rank must be an integer from 1 to ${rows}`));
  }
});
