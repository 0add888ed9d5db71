// exp(i phase) by quadrant reduction and Taylor series against Math.cos / Math.sin.
import assert from "node:assert/strict";
import { test } from "node:test";
import { jsComplexOps } from "../../src/engine/complex/complex-ops-js.js";
import { unitPhasor } from "../../src/engine/complex/unit-phasor.js";
import { testPhases } from "../optics/helpers.js";

test("unitPhasor matches Math.cos and Math.sin within float32 rounding", () => {
  const phase = testPhases();
  const re = new Float32Array(phase.length);
  const im = new Float32Array(phase.length);
  unitPhasor(phase, re, im);
  for (let i = 0; i < phase.length; i++) {
    assert.ok(Math.abs(re[i] - Math.cos(phase[i])) < 1.2e-7, `cos(${phase[i]}): ${re[i]} vs ${Math.cos(phase[i])}`);
    assert.ok(Math.abs(im[i] - Math.sin(phase[i])) < 1.2e-7, `sin(${phase[i]}): ${im[i]} vs ${Math.sin(phase[i])}`);
  }
});

test("unitPhasor gives NaN for non-finite phases, and the ops check the output size", () => {
  const re = new Float32Array(3);
  const im = new Float32Array(3);
  unitPhasor(Float32Array.from([NaN, Infinity, -Infinity]), re, im);
  assert.ok([...re, ...im].every(Number.isNaN));
  assert.throws(() => jsComplexOps().unitPhasor(new Float32Array(4), { re, im }), /4 phases need as many outputs, got 3/);
});
