// The PSF model reuses buffers between vjp calls: closures of different forward passes must stay
// independent, and the operators' adjoint written into a given array must equal the allocating one.
import assert from "node:assert/strict";
import { test } from "node:test";
import { jsComplexOps } from "../../src/engine/complex/complex-ops-js.js";
import { FresnelWindowOperator } from "../../src/optics/fresnel-window.js";
import { SensorWindow } from "../../src/optics/pixel-quadrature.js";
import { Grid } from "../../src/optics/grid.js";
import { PhaseMetasurface } from "../../src/optics/metasurface.js";
import { FullFieldPropagator } from "../../src/optics/propagation.js";
import { createFullFieldPsfModel, createPsfWindowModel } from "../../src/optics/psf-model.js";
import { randomComplex, randomReal } from "./helpers.js";

const ops = jsComplexOps();

test("vjp closures of two forward passes stay independent and repeatable (full field and PSF window)", () => {
  const wavelengths_m = [550e-9, 640e-9];
  const models = [
    createFullFieldPsfModel({ cells: 16, cellPitch_m: 2e-6, distance_m: 5e-4, wavelengths_m, metasurface: new PhaseMetasurface(), method: "asm", padding: 2 }, ops),
    createPsfWindowModel({ cells: 16, cellPitch_m: 2e-6, distance_m: 2e-3, sensorPitch_m: 3e-6, windowPixels: 4, wavelengths_m, metasurface: new PhaseMetasurface() }, ops),
  ];
  for (const model of models) {
    const paramsA = randomReal(model.batch * 16 * 16, 1, 6);
    const paramsB = randomReal(model.batch * 16 * 16, 2, 6);
    const weights = randomReal(model.batch * model.windowPixels ** 2, 3);
    const expectedA = model.forwardWithVjp(paramsA).vjp(weights);
    const expectedB = model.forwardWithVjp(paramsB).vjp(weights);
    const a = model.forwardWithVjp(paramsA);
    const b = model.forwardWithVjp(paramsB);
    assert.deepEqual(b.vjp(weights), expectedB);
    assert.deepEqual(a.vjp(weights), expectedA);
    assert.deepEqual(a.vjp(weights), expectedA);
    assert.notDeepEqual(expectedA, expectedB);
  }
});

test("adjoint into a given array equals the allocating adjoint (full field, lens focus, Fresnel window)", () => {
  const grid = new Grid(12, 2e-6);
  const wavelengths_m = [550e-9, 460e-9];
  const operators = [
    new FullFieldPropagator({ grid, wavelengths_m, distance_m: 1e-4, method: "asm", padding: 2 }, ops),
    new FullFieldPropagator({ grid, wavelengths_m: [550e-9, 550e-9], distance_m: 1e-3, method: "lens-focus", padding: 2 }, ops),
    new FresnelWindowOperator({ grid, wavelengths_m, distance_m: 1e-3, outputCoordinates_m: new SensorWindow({ pixels: 5, pitch_m: 3e-6, nodesPerPixel: 2 }).nodeCoordinates_m() }, ops),
  ];
  for (const operator of operators) {
    const gradient = randomComplex(2 * operator.outputSize ** 2, 4);
    const expected = operator.adjoint(gradient);
    const out = randomComplex(2 * operator.inputSize ** 2, 5);
    assert.equal(operator.adjoint(gradient, out), out);
    assert.deepEqual(out, expected);
  }
});
