// Native FFTs against a direct DFT (double precision), native complex products against naive loops,
// and both against the typed-array implementation the optics code falls back to (1e-5 relative).
import assert from "node:assert/strict";
import { test } from "node:test";
import { nativeComplexOps } from "../../src/engine/native/complex-ops-native.js";
import { loadNativeAddon } from "../../src/engine/native/addon.js";
import { jsComplexOps } from "../../src/engine/complex/complex-ops-js.js";
import type { ComplexGemm, ComplexOps, MatrixOp, PlanarComplex } from "../../src/engine/complex/complex-ops.js";
import { pseudoRandom } from "./compare.js";
import { directDft } from "../optics/helpers.js";

const skipReason = (): string | null => {
  const load = loadNativeAddon();
  return load.ok ? null : load.reason;
};

function planar(length: number, seed: number): PlanarComplex {
  return { re: pseudoRandom(length, seed), im: pseudoRandom(length, seed + 1000) };
}

function copy(x: PlanarComplex): PlanarComplex {
  return { re: x.re.slice(), im: x.im.slice() };
}

/** max |a - b| / max |b| over both planes. */
function relativeError(a: PlanarComplex, b: { re: ArrayLike<number>; im: ArrayLike<number> }, offset = 0, length = b.re.length): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < length; i++) scale = Math.max(scale, Math.hypot(b.re[i], b.im[i]));
  for (let i = 0; i < length; i++) {
    worst = Math.max(worst, Math.hypot(a.re[offset + i] - b.re[i], a.im[offset + i] - b.im[i]));
  }
  return worst / scale;
}

// Powers of two with every stage plan (radix-8 stages closed by nothing, radix 4 or radix 2), line
// counts below, at and above the 16 (8 without AVX-512) lines transformed together, and non-powers of
// two (kissfft) next to powers of two.
for (const [batch, rows, cols] of [
  [3, 8, 8], [2, 5, 7], [1, 12, 18], [2, 1, 9], [1, 31, 4], [3, 4, 32], [2, 64, 16],
  [2, 8, 128], [1, 2, 512], [2, 17, 2], [1, 256, 3], [2, 24, 16], [1, 33, 8],
] as const) {
  test(`fft2d ${batch}x${rows}x${cols} forward and inverse match a direct DFT`, (t) => {
    const reason = skipReason();
    if (reason) return t.skip(reason);
    const ops = nativeComplexOps()!;
    const plane = rows * cols;
    for (const inverse of [false, true]) {
      const x = planar(batch * plane, rows * 100 + cols + (inverse ? 7 : 0));
      const y = copy(x);
      ops.fft2d(y, batch, rows, cols, inverse);
      for (let b = 0; b < batch; b++) {
        const error = relativeError(y, directDft(x, b * plane, rows, cols, inverse), b * plane, plane);
        assert.ok(error < 1e-5, `plane ${b} ${inverse ? "inverse" : "forward"}: relative error ${error.toExponential(2)}`);
      }
    }
  });
}

test("fft2d 96x64x64 round trip and agreement with the typed-array path", (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const ops = nativeComplexOps()!;
  const x = planar(96 * 64 * 64, 5);
  const native = copy(x);
  const js = copy(x);
  ops.fft2d(native, 96, 64, 64, false);
  jsComplexOps().fft2d(js, 96, 64, 64, false);
  assert.ok(relativeError(native, js) < 1e-5, "native and js forward FFTs differ");
  ops.fft2d(native, 96, 64, 64, true);
  assert.ok(relativeError(native, x) < 1e-5, "inverse(forward(x)) != x");
});

/** Element (i, j) of op(M) for a row-major matrix stored rows x cols (before the op). */
function opElement(m: PlanarComplex, offset: number, op: MatrixOp, i: number, j: number, opRows: number, opCols: number, ld = op === "N" ? opCols : opRows): [number, number] {
  const index = op === "N" ? offset + i * ld + j : offset + j * ld + i;
  const sign = op === "C" ? -1 : 1;
  return [m.re[index], sign * m.im[index]];
}

/** The same product by the native ops, naive loops and the js ops, each on its own copy of C. */
function gemmThreeWays(ops: ComplexOps, c0: PlanarComplex, problem: (c: PlanarComplex) => ComplexGemm): Record<"native" | "expected" | "js", PlanarComplex> {
  const [native, expected, js] = [copy(c0), copy(c0), copy(c0)];
  ops.gemm(problem(native));
  naiveGemm(problem(expected));
  jsComplexOps().gemm(problem(js));
  return { native, expected, js };
}

function naiveGemm(p: ComplexGemm): void {
  for (let b = 0; b < p.batch; b++) {
    for (let i = 0; i < p.m; i++) {
      for (let j = 0; j < p.n; j++) {
        let sr = 0;
        let si = 0;
        for (let l = 0; l < p.k; l++) {
          const [ar, ai] = opElement(p.a, b * p.strideA, p.opA, i, l, p.m, p.k, p.lda);
          const [br, bi] = opElement(p.b, b * p.strideB, p.opB, l, j, p.k, p.n);
          sr += ar * br - ai * bi;
          si += ar * bi + ai * br;
        }
        const c = b * p.strideC + i * (p.ldc ?? p.n) + j;
        p.c.re[c] = (p.accumulate ? p.c.re[c] : 0) + sr;
        p.c.im[c] = (p.accumulate ? p.c.im[c] : 0) + si;
      }
    }
  }
}

test("complex gemm: every op pair, batch strides (incl. broadcast), accumulate, vs naive loops and the js path", (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const ops = nativeComplexOps()!;
  const [m, n, k, batch] = [7, 5, 13, 3];
  let seed = 50;
  for (const opA of ["N", "T", "C"] as const) {
    for (const opB of ["N", "T", "C"] as const) {
      for (const [strideA, accumulate] of [[m * k, false], [0, true], [m * k + 4, false]] as const) {
        const a = planar(strideA === 0 ? m * k : (batch - 1) * strideA + m * k, seed++);
        const b = planar(batch * k * n, seed++);
        const c0 = planar(batch * m * n, seed++);
        const problem = (c: PlanarComplex): ComplexGemm => ({ m, n, k, a, b, c, opA, opB, batch, strideA, strideB: k * n, strideC: m * n, accumulate });
        const { native, expected, js } = gemmThreeWays(ops, c0, problem);
        const label = `${opA}${opB} strideA ${strideA} accumulate ${accumulate}`;
        assert.ok(relativeError(native, expected) < 1e-5, `${label}: native vs naive`);
        assert.ok(relativeError(native, js) < 1e-5, `${label}: native vs js`);
      }
    }
  }
});

test("complex gemm with a shared B and contiguous batches (one 2-D product over all rows), tall and wide, vs naive loops", (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const ops = nativeComplexOps()!;
  let seed = 200;
  // n <= k packs B and unpacks [Re | Im] rows; n > k packs A and writes the planar C directly.
  for (const [m, n, k] of [[9, 4, 11], [6, 13, 3]] as const) {
    for (const opA of ["N", "T", "C"] as const) {
      for (const opB of ["N", "T", "C"] as const) {
        for (const accumulate of [false, true]) {
          const batch = 4;
          const a = planar(batch * m * k, seed++);
          const b = planar(k * n, seed++);
          const c0 = planar(batch * m * n, seed++);
          const problem = (c: PlanarComplex): ComplexGemm => ({ m, n, k, a, b, c, opA, opB, batch, strideA: m * k, strideB: 0, strideC: m * n, accumulate });
          const native = copy(c0);
          const expected = copy(c0);
          ops.gemm(problem(native));
          naiveGemm(problem(expected));
          assert.ok(relativeError(native, expected) < 1e-5, `${m}x${n}x${k} ${opA}${opB} accumulate ${accumulate}`);
        }
      }
    }
  }
});

test("complex gemm on windows of larger planes (row strides lda, ldc), tall and wide, vs naive loops and the js path; cells outside the windows untouched", (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const ops = nativeComplexOps()!;
  let seed = 400;
  // Tiles of 11-wide planes as in the window transform: A read in place, C written in place.
  const plane = 11 * 11;
  for (const [m, n, k] of [[6, 4, 5], [5, 7, 3]] as const) {
    for (const opA of ["N", "T", "C"] as const) {
      for (const [accumulate, sharedB] of [[false, true], [true, false]] as const) {
        const batch = 3;
        const lda = 11;
        const ldc = 11;
        const a = planar(batch * plane + 2, seed++);
        const b = planar(sharedB ? k * n : batch * k * n, seed++);
        const c0 = planar(batch * plane + 3, seed++);
        const problem = (c: PlanarComplex): ComplexGemm => ({
          m, n, k, a: { re: a.re.subarray(2), im: a.im.subarray(2) }, b, c: { re: c.re.subarray(3), im: c.im.subarray(3) },
          opA, opB: "N", batch, strideA: plane, strideB: sharedB ? 0 : k * n, strideC: plane, accumulate, lda, ldc,
        });
        const { native, expected, js } = gemmThreeWays(ops, c0, problem);
        const label = `${m}x${n}x${k} ${opA} accumulate ${accumulate} sharedB ${sharedB}`;
        assert.ok(relativeError(native, expected) < 1e-5, `${label}: native vs naive`);
        assert.ok(relativeError(js, expected) < 1e-5, `${label}: js vs naive`);
        // Outside the windows every value is the original one, bit for bit.
        for (let q = 0; q < batch; q++) {
          for (let r = 0; r < 11; r++) {
            for (let col = 0; col < 11; col++) {
              if (r < m && col < n) continue;
              const index = 3 + q * plane + r * 11 + col;
              assert.equal(native.re[index], c0.re[index], `${label}: native wrote outside the window at ${index}`);
              assert.equal(js.im[index], c0.im[index], `${label}: js wrote outside the window at ${index}`);
            }
          }
        }
      }
    }
  }
});

test("complex gemm refuses a row stride shorter than a row", (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const a = planar(20, 1);
  const c = planar(20, 2);
  const problem: ComplexGemm = { m: 2, n: 2, k: 4, a, b: planar(8, 3), c, opA: "N", opB: "N", batch: 1, strideA: 0, strideB: 0, strideC: 0, accumulate: false, lda: 3 };
  assert.throws(() => nativeComplexOps()!.gemm(problem), /lda/);
  assert.throws(() => jsComplexOps().gemm(problem), /lda/);
});

test("multiplyByPlane: strided batches times one plane (and its conjugate), in place too, native and js vs direct products", (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const [batch, planeSize, strideX] = [3, 70001, 70010];
  const x = planar((batch - 1) * strideX + planeSize, 7);
  const plane = planar(planeSize, 8);
  for (const conjugate of [false, true]) {
    const expected = { re: new Float32Array(batch * planeSize), im: new Float32Array(batch * planeSize) };
    const sign = conjugate ? -1 : 1;
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < planeSize; i++) {
        const [ar, ai, pr, pi] = [x.re[b * strideX + i], x.im[b * strideX + i], plane.re[i], sign * plane.im[i]];
        expected.re[b * planeSize + i] = ar * pr - ai * pi;
        expected.im[b * planeSize + i] = ar * pi + ai * pr;
      }
    }
    for (const ops of [nativeComplexOps()!, jsComplexOps()]) {
      const out = { re: new Float32Array(batch * planeSize), im: new Float32Array(batch * planeSize) };
      ops.multiplyByPlane({ x, plane, out, batch, planeSize, strideX, strideOut: planeSize, conjugate });
      assert.ok(relativeError(out, expected) < 1e-6, `${ops.name} conjugate ${conjugate}`);
      const inPlace = copy(x);
      ops.multiplyByPlane({ x: inPlace, plane, out: inPlace, batch, planeSize, strideX, strideOut: strideX, conjugate });
      for (let b = 0; b < batch; b++) {
        assert.ok(relativeError({ re: inPlace.re.subarray(b * strideX, b * strideX + planeSize), im: inPlace.im.subarray(b * strideX, b * strideX + planeSize) },
          { re: expected.re.subarray(b * planeSize, (b + 1) * planeSize), im: expected.im.subarray(b * planeSize, (b + 1) * planeSize) }) < 1e-6, `${ops.name} in place, item ${b}`);
      }
    }
  }
  assert.throws(() => nativeComplexOps()!.multiplyByPlane({ x, plane, out: x, batch, planeSize, strideX: 5, strideOut: 5, conjugate: false }), /stride/);
});

test("phaseWindowForward and phaseWindowAdjoint: sum over tiles of Ey u Ex^T of weight . exp(i phase) and Im(G conj(u)) back, native (factored and dense) and js (dense) vs direct loops", (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  // Unequal bands (3, 4, 2 cells), a batch with gaps between items (phases and windows), phases past 2 pi,
  // 3 samples, matrices of rank 2 given densely and as factors.
  const [batch, size, stride, samples, rank] = [2, 9, 90, 3, 2];
  const windowStride = samples * samples + 3;
  const bandStarts = Int32Array.from([0, 3, 7, 9]);
  const bands = 3;
  const phase = pseudoRandom(stride * batch, 11).map((v) => 20 * v);
  const weight = planar(size * size, 12);
  const gradientIn = planar(batch * windowStride, 14);
  const tile = (i: number, j: number) => ({ i, j, rows: bandStarts[i + 1] - bandStarts[i], cols: bandStarts[j + 1] - bandStarts[j] });
  const tiles = [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => tile(i, j)));
  // Per tile E = P Q (S x K) from random P (S x r) and Q (r x K), packed as documented in phase_window.h:
  // transforms forward Re E^T, Im E^T, their sum (K x S), adjoint Re E, -Im E, Re E - Im E (S x K), tile
  // (i, j) at 3 S (i size + bandStarts[j]); factors forward Q^T (K x r) then P (S x r), adjoint conj(Q)
  // (r x K) then conj(P)^T (r x S), tile (i, j) at 3 r (i (size + bands S) + bandStarts[j] + j S).
  const mul = ([ar, ai]: number[], [br, bi]: number[]) => [ar * br - ai * bi, ar * bi + ai * br];
  const conj = ([re, im]: number[]) => [re, -im];
  const transforms = { forward: new Float32Array(3 * samples * size * bands), adjoint: new Float32Array(3 * samples * size * bands) };
  const factors = { forward: new Float32Array(3 * rank * bands * (size + bands * samples)), adjoint: new Float32Array(3 * rank * bands * (size + bands * samples)) };
  const matrices = new Map<string, (s: number, l: number) => number[]>();
  const blocks = (out: Float32Array, at: number, length: number, index: number, [re, im]: number[], adjoint: boolean) => {
    out[at + index] = re;
    out[at + length + index] = adjoint ? -im : im;
    out[at + 2 * length + index] = adjoint ? re - im : re + im;
  };
  tiles.forEach((t, n) => {
    const K = t.cols;
    const p = planar(samples * rank, 100 + n);
    const q = planar(rank * K, 200 + n);
    const e = (s: number, l: number) => {
      let [re, im] = [0, 0];
      for (let k = 0; k < rank; k++) {
        const [pr, pi] = mul([p.re[s * rank + k], p.im[s * rank + k]], [q.re[k * K + l], q.im[k * K + l]]);
        [re, im] = [re + pr, im + pi];
      }
      return [re, im];
    };
    matrices.set(`${t.i},${t.j}`, e);
    const dense = 3 * samples * (t.i * size + bandStarts[t.j]);
    for (let s = 0; s < samples; s++) {
      for (let l = 0; l < K; l++) {
        blocks(transforms.forward, dense, K * samples, l * samples + s, e(s, l), false);
        blocks(transforms.adjoint, dense, K * samples, s * K + l, e(s, l), true);
      }
    }
    const factored = 3 * rank * (t.i * (size + bands * samples) + bandStarts[t.j] + t.j * samples);
    for (let k = 0; k < rank; k++) {
      for (let l = 0; l < K; l++) {
        blocks(factors.forward, factored, K * rank, l * rank + k, [q.re[k * K + l], q.im[k * K + l]], false);
        blocks(factors.adjoint, factored, K * rank, k * K + l, [q.re[k * K + l], q.im[k * K + l]], true);
      }
      for (let s = 0; s < samples; s++) {
        blocks(factors.forward, factored + 3 * K * rank, samples * rank, s * rank + k, [p.re[s * rank + k], p.im[s * rank + k]], false);
        blocks(factors.adjoint, factored + 3 * K * rank, samples * rank, k * samples + s, [p.re[s * rank + k], p.im[s * rank + k]], true);
      }
    }
  });
  for (const withWeight of [true, false]) {
    const u = (b: number, row: number, col: number) => {
      const cell = row * size + col;
      const [wr, wi] = withWeight ? [weight.re[cell], weight.im[cell]] : [1, 0];
      const p = phase[b * stride + cell];
      return [wr * Math.cos(p) - wi * Math.sin(p), wr * Math.sin(p) + wi * Math.cos(p)];
    };
    const expectedWindow = { re: new Float32Array(batch * windowStride), im: new Float32Array(batch * windowStride) };
    const expectedGradient = new Float32Array(stride * batch);
    for (let b = 0; b < batch; b++) {
      for (const t of tiles) {
        // Ex of tile (i, j) is its own E, Ey tile (j, i)'s: window += Ey u Ex^T, G = Ey^H G2 conj(Ex).
        const ex = matrices.get(`${t.i},${t.j}`)!;
        const ey = matrices.get(`${t.j},${t.i}`)!;
        for (let r = 0; r < t.rows; r++) {
          for (let l = 0; l < t.cols; l++) {
            const [row, col] = [bandStarts[t.i] + r, bandStarts[t.j] + l];
            const field = u(b, row, col);
            let [gr, gi] = [0, 0];
            for (let x = 0; x < samples; x++) {
              for (let z = 0; z < samples; z++) {
                const [wr, wi] = mul(mul(ey(x, r), field), ex(z, l));
                expectedWindow.re[b * windowStride + x * samples + z] += wr;
                expectedWindow.im[b * windowStride + x * samples + z] += wi;
                const g2 = [gradientIn.re[b * windowStride + x * samples + z], gradientIn.im[b * windowStride + x * samples + z]];
                const [pr, pi] = mul(mul(conj(ey(x, r)), g2), conj(ex(z, l)));
                gr += pr;
                gi += pi;
              }
            }
            expectedGradient[b * stride + row * size + col] = gi * field[0] - gr * field[1];
          }
        }
      }
    }
    // The native engine with the factors and with rank 0 (its dense path), the js one (always dense).
    const none = { forward: new Float32Array(0), adjoint: new Float32Array(0) };
    for (const [ops, r, f] of [[nativeComplexOps()!, rank, factors], [nativeComplexOps()!, 0, none], [jsComplexOps(), rank, factors]] as const) {
      const common = { batch, size, stride, bandStarts, samples, rank: r, phase, weight: withWeight ? weight : null, windowStride };
      const forward = { ...common, transforms: transforms.forward, factors: f.forward };
      const adjoint = { ...common, transforms: transforms.adjoint, factors: f.adjoint };
      const window = { re: new Float32Array(batch * windowStride), im: new Float32Array(batch * windowStride) };
      ops.phaseWindowForward({ ...forward, window });
      assert.ok(relativeError(window, expectedWindow) < 1e-5, `${ops.name} rank ${r} forward, weight ${withWeight}: ${relativeError(window, expectedWindow)}`);
      const gradient = new Float32Array(stride * batch);
      ops.phaseWindowAdjoint({ ...adjoint, window: gradientIn }, { kind: "gradient", out: gradient, trained: [true, true] });
      const scale = Math.max(...expectedGradient.map(Math.abs));
      const worst = Math.max(...[0, 1].flatMap((b) => [...gradient.subarray(b * stride, b * stride + size * size)].map((g, i) => Math.abs(g - expectedGradient[b * stride + i]))));
      assert.ok(worst <= 1e-5 * scale, `${ops.name} rank ${r} gradient, weight ${withWeight}: ${worst / scale}`);
      // An untrained item has zero gradient.
      ops.phaseWindowAdjoint({ ...adjoint, window: gradientIn }, { kind: "gradient", out: gradient, trained: [false, true] });
      assert.ok(gradient.subarray(0, size * size).every((g) => g === 0) && gradient.subarray(stride).some((g) => g !== 0), `${ops.name} untrained item`);
    }
  }
  for (const ops of [nativeComplexOps()!, jsComplexOps()]) {
    const window = { batch, size, stride, bandStarts, samples, rank, phase, weight: null, transforms: transforms.forward, factors: factors.forward, window: gradientIn, windowStride };
    assert.throws(() => ops.phaseWindowForward({ ...window, bandStarts: Int32Array.from([0, 5, 4, 9]) }), /bandStarts/);
    assert.throws(() => ops.phaseWindowForward({ ...window, stride: 50 }), /stride/);
    assert.throws(() => ops.phaseWindowForward({ ...window, windowStride: 3 }), /windowStride 3 must be >= samples\^2 = 9/);
    assert.throws(() => ops.phaseWindowForward({ ...window, window: planar(windowStride + 3, 1) }), /window.re needs 21 values/);
    assert.throws(() => ops.phaseWindowForward({ ...window, transforms: transforms.forward.subarray(1) }), /transforms needs 243 values/);
    assert.throws(() => ops.phaseWindowForward({ ...window, factors: factors.forward.subarray(1) }), /factors needs 324 values/);
    assert.throws(() => ops.phaseWindowForward({ ...window, rank: 4 }), /rank = 4 must be an integer from 0 \(dense\) to samples = 3/);
    assert.throws(() => ops.phaseWindowAdjoint(window, { kind: "gradient", out: new Float32Array(10), trained: [true, true] }), /out needs 171 values/);
    assert.throws(() => ops.phaseWindowAdjoint(window, { kind: "gradient", out: new Float32Array(180), trained: [true] }), /trained needs one flag per item \(2\)/);
  }
});

test("complex gemm of a 1025-wide matrix Fourier transform agrees with the js path", (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const [m, n, k] = [14, 1025, 1025];
  const a = planar(m * k, 90);
  const b = planar(k * n, 91);
  const native = { re: new Float32Array(m * n), im: new Float32Array(m * n) };
  const js = { re: new Float32Array(m * n), im: new Float32Array(m * n) };
  const problem = (c: PlanarComplex): ComplexGemm => ({ m, n, k, a, b, c, opA: "N", opB: "N", batch: 1, strideA: 0, strideB: 0, strideC: 0, accumulate: false });
  nativeComplexOps()!.gemm(problem(native));
  jsComplexOps().gemm(problem(js));
  assert.ok(relativeError(native, js) < 1e-5);
});
