// The native exp(i phase) against Math.cos / Math.sin and the TypeScript implementation.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadNativeAddon } from "../../src/engine/native/addon.js";
import { nativeComplexOps } from "../../src/engine/native/complex-ops-native.js";
import { jsComplexOps } from "../../src/engine/complex/complex-ops-js.js";
import { testPhases } from "../optics/helpers.js";

test("native unitPhasor matches Math.cos / Math.sin and the TypeScript one, in threaded chunks", (t) => {
  const load = loadNativeAddon();
  if (!load.ok) return t.skip(load.reason);
  const few = testPhases();
  // Several chunks of the threaded loop, with the special phases in the middle of one.
  const phase = new Float32Array(200000).map((_, i) => Math.sin(i) * 50);
  phase.set(few, 70000);
  const native = { re: new Float32Array(phase.length), im: new Float32Array(phase.length) };
  const js = { re: new Float32Array(phase.length), im: new Float32Array(phase.length) };
  nativeComplexOps()!.unitPhasor(phase, native);
  jsComplexOps().unitPhasor(phase, js);
  for (let i = 0; i < phase.length; i++) {
    assert.ok(Math.abs(native.re[i] - Math.cos(phase[i])) < 1.2e-7, `cos(${phase[i]}) at ${i}: ${native.re[i]}`);
    assert.ok(Math.abs(native.im[i] - Math.sin(phase[i])) < 1.2e-7, `sin(${phase[i]}) at ${i}: ${native.im[i]}`);
    assert.ok(Math.abs(native.re[i] - js.re[i]) <= 1.2e-7 && Math.abs(native.im[i] - js.im[i]) <= 1.2e-7, `native vs js at ${i}`);
  }
  // Up to the reduction limit (1e6): the float32 Cody-Waite reduction must stay exact where k pi/2 is large.
  const large = Float32Array.from({ length: 20000 }, (_, i) => (((i * 7919) % 20000) / 20000 - 0.5) * 1.999e6);
  const largeOut = { re: new Float32Array(large.length), im: new Float32Array(large.length) };
  nativeComplexOps()!.unitPhasor(large, largeOut);
  for (let i = 0; i < large.length; i++) {
    const error = Math.max(Math.abs(largeOut.re[i] - Math.cos(large[i])), Math.abs(largeOut.im[i] - Math.sin(large[i])));
    assert.ok(error < 1.2e-7, `exp(i ${large[i]}) off by ${error}`);
  }
  const nonFinite = { re: new Float32Array(2), im: new Float32Array(2) };
  nativeComplexOps()!.unitPhasor(Float32Array.from([NaN, Infinity]), nonFinite);
  assert.ok([...nonFinite.re, ...nonFinite.im].every(Number.isNaN));
});
