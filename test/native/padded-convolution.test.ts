// The native FFT at the optics size (512^2) against the TypeScript FFT (direct-DFT checks of every
// stage plan are in complex-ops.test.ts), and the native fused padded convolution against its
// definition, the TypeScript implementation (1e-5 relative) and the adjoint identity.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadNativeAddon } from "../../src/engine/native/addon.js";
import { nativeComplexOps } from "../../src/engine/native/complex-ops-native.js";
import { jsComplexOps } from "../../src/engine/complex/complex-ops-js.js";
import type { PlanarComplex } from "../../src/engine/complex/complex-ops.js";
import { adjointMismatch, directPaddedConvolution, randomComplex, relativeError } from "../optics/helpers.js";

const skipReason = (): string | null => {
  const load = loadNativeAddon();
  return load.ok ? null : load.reason;
};

function copy(x: PlanarComplex): PlanarComplex {
  return { re: x.re.slice(), im: x.im.slice() };
}

test("native fft2d 2x512x512 agrees with the TypeScript FFT and inverts", (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const x = randomComplex(2 * 512 * 512, 3);
  const native = copy(x);
  const js = copy(x);
  nativeComplexOps()!.fft2d(native, 2, 512, 512, false);
  jsComplexOps().fft2d(js, 2, 512, 512, false);
  assert.ok(relativeError(native, js) < 1e-5, `native vs js: ${relativeError(native, js).toExponential(2)}`);
  nativeComplexOps()!.fft2d(native, 2, 512, 512, true);
  assert.ok(relativeError(native, x) < 1e-5, "inverse(forward(x)) != x");
});

test("native paddedConvolution matches its direct-DFT definition (odd N, P not a power of two)", (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  for (const [batch, N, P] of [[3, 5, 12], [1, 7, 16], [2, 9, 9]] as const) {
    const problem = {
      input: randomComplex(batch * N * N, N),
      batch,
      size: N,
      paddedSize: P,
      kernels: randomComplex(2 * P * P, P),
      kernelOf: Int32Array.from({ length: batch }, (_, b) => (b + 1) % 2),
      conjugate: N === 7,
    };
    const output = { re: new Float32Array(batch * N * N), im: new Float32Array(batch * N * N) };
    nativeComplexOps()!.paddedConvolution({ ...problem, output });
    const error = relativeError(output, directPaddedConvolution(problem));
    assert.ok(error < 1e-5, `${batch}x${N} on ${P}: relative error ${error.toExponential(2)}`);
  }
});

// Batch 1 shares one field between the threads, larger batches give each thread its own fields.
for (const [batch, N, P, kernels] of [
  [4, 256, 512, 3],
  [1, 256, 512, 1],
  [5, 37, 64, 3],
  [3, 20, 48, 2],
  [1, 21, 63, 1],
  [2, 33, 33, 2],
  [3, 100, 200, 2],
] as const) {
  test(`native paddedConvolution ${batch}x${N}x${N} on ${P}x${P} (${kernels} kernels) agrees with the TypeScript one, plain and conjugated`, (t) => {
    const reason = skipReason();
    if (reason) return t.skip(reason);
    const input = randomComplex(batch * N * N, N + P);
    const problem = {
      input,
      batch,
      size: N,
      paddedSize: P,
      kernels: randomComplex(kernels * P * P, P + 1),
      kernelOf: Int32Array.from({ length: batch }, (_, b) => (b * 2 + 1) % kernels),
    };
    for (const conjugate of [false, true]) {
      const native = { re: new Float32Array(batch * N * N), im: new Float32Array(batch * N * N) };
      const js = { re: new Float32Array(batch * N * N), im: new Float32Array(batch * N * N) };
      nativeComplexOps()!.paddedConvolution({ ...problem, output: native, conjugate });
      jsComplexOps().paddedConvolution({ ...problem, output: js, conjugate });
      const error = relativeError(native, js);
      assert.ok(error < 1e-5, `conjugate ${conjugate}: relative error ${error.toExponential(2)}`);
    }
  });
}

test("native paddedConvolution: the conjugated kernel gives the adjoint, and the output may be the input", (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const ops = nativeComplexOps()!;
  for (const [batch, N, P] of [[3, 31, 64], [1, 16, 40]] as const) {
    const kernels = randomComplex(2 * P * P, 8);
    const kernelOf = Int32Array.from({ length: batch }, (_, b) => b % 2);
    const apply = (conjugate: boolean) => (x: PlanarComplex): PlanarComplex => {
      const output = { re: new Float32Array(batch * N * N), im: new Float32Array(batch * N * N) };
      ops.paddedConvolution({ input: x, output, batch, size: N, paddedSize: P, kernels, kernelOf, conjugate });
      return output;
    };
    const mismatch = adjointMismatch(apply(false), apply(true), batch * N * N, batch * N * N, 21);
    assert.ok(mismatch < 1e-5, `${batch}x${N} on ${P}: adjoint mismatch ${mismatch.toExponential(2)}`);
    const x = randomComplex(batch * N * N, 22);
    const expected = apply(true)(x);
    ops.paddedConvolution({ input: x, output: x, batch, size: N, paddedSize: P, kernels, kernelOf, conjugate: true });
    assert.deepEqual(x, expected);
  }
});

test("native paddedConvolution rejects a kernel index outside the stack", (t) => {
  const reason = skipReason();
  if (reason) return t.skip(reason);
  const x = randomComplex(2 * 16, 1);
  const problem = { input: x, output: x, batch: 2, size: 4, paddedSize: 8, kernels: randomComplex(64, 2), kernelOf: Int32Array.from([0, 1]), conjugate: false };
  assert.throws(() => nativeComplexOps()!.paddedConvolution(problem), /uses kernel 1, but 1 8x8 kernels/);
});
