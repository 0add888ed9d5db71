// The native kernels of the metasurface fit on plain Float32Arrays (phase vjp, in-place Adam) against
// hand-written loops.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadNativeAddon } from "../../src/engine/native/addon.js";
import { nativeComplexOps } from "../../src/engine/native/complex-ops-native.js";
import { jsComplexOps } from "../../src/engine/complex/complex-ops-js.js";
import { FlatAdamW } from "../../src/dko/adam.js";
import { pseudoRandom } from "./compare.js";

test("native phaseGradient is Im(G conj t) elementwise, like the TypeScript one, over threaded chunks", (t) => {
  const load = loadNativeAddon();
  if (!load.ok) return t.skip(load.reason);
  const count = 100003;
  const gradient = { re: pseudoRandom(count, 1), im: pseudoRandom(count, 2) };
  const transmission = { re: pseudoRandom(count, 3), im: pseudoRandom(count, 4) };
  const native = new Float32Array(count);
  const js = new Float32Array(count);
  nativeComplexOps()!.phaseGradient(gradient, transmission, native);
  jsComplexOps().phaseGradient(gradient, transmission, js);
  for (let i = 0; i < count; i++) {
    const expected = gradient.im[i] * transmission.re[i] - gradient.re[i] * transmission.im[i];
    assert.ok(Math.abs(native[i] - expected) < 1e-6 && Math.abs(js[i] - expected) < 1e-6, `element ${i}`);
  }
  assert.throws(() => nativeComplexOps()!.phaseGradient(gradient, { re: transmission.re.subarray(1), im: transmission.im }, native), /phaseGradient/);
});

test("FlatAdamW (native when the addon loads) follows the Adam(W) formula of engine/adam-step.ts, step by step", (t) => {
  const load = loadNativeAddon();
  if (!load.ok) return t.skip(load.reason);
  const count = 70001;
  const options = { learningRate: 0.05, weightDecay: 0.01 };
  const params = pseudoRandom(count, 5);
  const reference = Float64Array.from(params);
  const m = new Float64Array(count);
  const v = new Float64Array(count);
  const adam = new FlatAdamW(count, options);
  for (let step = 1; step <= 3; step++) {
    const gradient = pseudoRandom(count, 10 + step);
    adam.step(params, gradient);
    for (let i = 0; i < count; i++) {
      m[i] = 0.9 * m[i] + 0.1 * gradient[i];
      v[i] = 0.999 * v[i] + 0.001 * gradient[i] ** 2;
      // Bias corrections folded into the step size, epsilon on the uncorrected sqrt(v).
      const stepSize = (options.learningRate * Math.sqrt(1 - 0.999 ** step)) / (1 - 0.9 ** step);
      reference[i] -= stepSize * (m[i] / (Math.sqrt(v[i]) + 1e-8)) + options.learningRate * options.weightDecay * reference[i];
    }
    for (let i = 0; i < count; i++) assert.ok(Math.abs(params[i] - reference[i]) < 2e-6, `step ${step}, element ${i}: ${params[i]} vs ${reference[i]}`);
  }
});
