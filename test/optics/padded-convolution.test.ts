// The TypeScript padded convolution (the propagators' zero-padded FFT convolution) against its
// definition evaluated with direct DFTs, and its conjugate form against the adjoint identity.
import assert from "node:assert/strict";
import { test } from "node:test";
import { jsComplexOps } from "../../src/engine/complex/complex-ops-js.js";
import type { PlanarComplex } from "../../src/engine/complex/complex-ops.js";
import { adjointMismatch, directPaddedConvolution, randomComplex, relativeError } from "./helpers.js";

const ops = jsComplexOps();

for (const [batch, N, P, kernelOf] of [
  [3, 4, 8, [0, 1, 0]],
  [2, 5, 12, [1, 0]],
  [1, 7, 7, [0]],
  [3, 6, 9, [1, 1, 0]],
] as const) {
  test(`js paddedConvolution ${batch}x${N}x${N} on ${P}x${P} matches the direct-DFT definition, plain and conjugated`, () => {
    const input = randomComplex(batch * N * N, N * 10 + P);
    const kernels = randomComplex(2 * P * P, P);
    for (const conjugate of [false, true]) {
      const problem = { input, batch, size: N, paddedSize: P, kernels, kernelOf: Int32Array.from(kernelOf), conjugate };
      const output = { re: new Float32Array(batch * N * N), im: new Float32Array(batch * N * N) };
      ops.paddedConvolution({ ...problem, output });
      const error = relativeError(output, directPaddedConvolution(problem));
      assert.ok(error < 1e-5, `conjugate ${conjugate}: relative error ${error.toExponential(2)}`);
    }
  });
}

test("js paddedConvolution: the conjugated kernel gives the adjoint, and the output may be the input", () => {
  const [batch, N, P] = [3, 9, 20];
  const kernels = randomComplex(2 * P * P, 4);
  const kernelOf = Int32Array.from([1, 0, 1]);
  const apply = (conjugate: boolean) => (x: PlanarComplex): PlanarComplex => {
    const output = { re: new Float32Array(batch * N * N), im: new Float32Array(batch * N * N) };
    ops.paddedConvolution({ input: x, output, batch, size: N, paddedSize: P, kernels, kernelOf, conjugate });
    return output;
  };
  const mismatch = adjointMismatch(apply(false), apply(true), batch * N * N, batch * N * N, 11);
  assert.ok(mismatch < 1e-5, `adjoint mismatch ${mismatch.toExponential(2)}`);
  const x = randomComplex(batch * N * N, 12);
  const expected = apply(false)(x);
  ops.paddedConvolution({ input: x, output: x, batch, size: N, paddedSize: P, kernels, kernelOf, conjugate: false });
  assert.deepEqual(x, expected);
});

test("paddedConvolution rejects a kernel index outside the stack and short operands", () => {
  const x = randomComplex(2 * 16, 1);
  const kernels = randomComplex(64, 2);
  const base = { input: x, output: x, batch: 2, size: 4, paddedSize: 8, kernels, conjugate: false };
  assert.throws(() => ops.paddedConvolution({ ...base, kernelOf: Int32Array.from([0, 1]) }), /uses kernel 1, but 1 8x8 kernels/);
  assert.throws(() => ops.paddedConvolution({ ...base, kernelOf: Int32Array.from([0]) }), /kernelOf has 1 entries for 2 items/);
  assert.throws(() => ops.paddedConvolution({ ...base, batch: 3, kernelOf: Int32Array.from([0, 0, 0]) }), /input needs 3 fields/);
});
