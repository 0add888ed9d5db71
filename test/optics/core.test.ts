import { test } from "node:test";
import assert from "node:assert/strict";
import { jsComplexOps } from "../../src/engine/complex/complex-ops-js.js";
import type { MatrixOp, PlanarComplex } from "../../src/engine/complex/complex-ops.js";
import { FresnelWindowOperator } from "../../src/optics/fresnel-window.js";
import { SensorWindow } from "../../src/optics/pixel-quadrature.js";
import { Grid } from "../../src/optics/grid.js";
import { PhaseMetasurface } from "../../src/optics/metasurface.js";
import { FullFieldPropagator } from "../../src/optics/propagation.js";
import { createFullFieldPsfModel, createPsfWindowModel, type PsfModel } from "../../src/optics/psf-model.js";
import { SensorIntegration } from "../../src/optics/sensor-integration.js";
import { adjointMismatch, directDft, dot, randomComplex, randomReal } from "./helpers.js";

const ops = jsComplexOps();

test("fft2d matches the DFT definition for power-of-two, Bluestein and length-1 sizes, and inverts", () => {
  for (const [rows, cols] of [[8, 16], [6, 10], [1, 7], [13, 4], [5, 1]]) {
    const x = randomComplex(2 * rows * cols, rows * 100 + cols);
    const y = { re: x.re.slice(), im: x.im.slice() };
    ops.fft2d(y, 2, rows, cols, false);
    for (let b = 0; b < 2; b++) {
      const expected = directDft(x, b * rows * cols, rows, cols, false);
      for (let i = 0; i < rows * cols; i++) {
        assert.ok(Math.abs(y.re[b * rows * cols + i] - expected.re[i]) < 2e-5, `${rows}x${cols} re[${i}]`);
        assert.ok(Math.abs(y.im[b * rows * cols + i] - expected.im[i]) < 2e-5, `${rows}x${cols} im[${i}]`);
      }
    }
    ops.fft2d(y, 2, rows, cols, true);
    for (let i = 0; i < x.re.length; i++) assert.ok(Math.abs(y.re[i] - x.re[i]) < 1e-6 && Math.abs(y.im[i] - x.im[i]) < 1e-6);
  }
});

function applyOp(x: PlanarComplex, offset: number, op: MatrixOp, rows: number, cols: number, i: number, j: number): [number, number] {
  // Element (i, j) of op(X) where op(X) is rows x cols.
  if (op === "N") return [x.re[offset + i * cols + j], x.im[offset + i * cols + j]];
  const index = offset + j * rows + i;
  return [x.re[index], (op === "C" ? -1 : 1) * x.im[index]];
}

test("gemm matches a naive product for every op pair, with batch strides, broadcasting and accumulation", () => {
  const m = 3;
  const n = 4;
  const k = 5;
  const batch = 2;
  for (const opA of ["N", "T", "C"] as MatrixOp[]) {
    for (const opB of ["N", "T", "C"] as MatrixOp[]) {
      const a = randomComplex(batch * m * k, 1);
      const b = randomComplex(k * n, 2);
      const c0 = randomComplex(batch * m * n, 3);
      for (const accumulate of [false, true]) {
        const c = { re: c0.re.slice(), im: c0.im.slice() };
        ops.gemm({ m, n, k, a, b, c, opA, opB, batch, strideA: m * k, strideB: 0, strideC: m * n, accumulate });
        for (let t = 0; t < batch; t++) {
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let re = accumulate ? c0.re[t * m * n + i * n + j] : 0;
              let im = accumulate ? c0.im[t * m * n + i * n + j] : 0;
              for (let q = 0; q < k; q++) {
                const [ar, ai] = applyOp(a, t * m * k, opA, m, k, i, q);
                const [br, bi] = applyOp(b, 0, opB, k, n, q, j);
                re += ar * br - ai * bi;
                im += ar * bi + ai * br;
              }
              assert.ok(Math.abs(c.re[t * m * n + i * n + j] - re) < 1e-5, `${opA}${opB} re`);
              assert.ok(Math.abs(c.im[t * m * n + i * n + j] - im) < 1e-5, `${opA}${opB} im`);
            }
          }
        }
      }
    }
  }
});

test("every linear optical operator passes the dot-product (adjoint) test", () => {
  const grid = new Grid(24, 2e-6);
  const wavelengths_m = [640e-9, 550e-9, 640e-9];
  const B = wavelengths_m.length;
  const N = grid.size;
  const operators = [
    new FresnelWindowOperator({ grid, wavelengths_m, distance_m: 1e-3, outputCoordinates_m: new SensorWindow({ pixels: 5, pitch_m: 3e-6, nodesPerPixel: 2 }).nodeCoordinates_m() }, ops),
    new FullFieldPropagator({ grid, wavelengths_m, distance_m: 1e-4, method: "asm", padding: 2 }, ops),
    new FullFieldPropagator({ grid, wavelengths_m, distance_m: 1e-4, method: "fresnel-tf", padding: 2 }, ops),
    new FullFieldPropagator({ grid, wavelengths_m, distance_m: 1e-3, method: "fresnel-ir", padding: 2 }, ops),
    new FullFieldPropagator({ grid, wavelengths_m: [550e-9, 550e-9], distance_m: 1e-3, method: "lens-focus", padding: 3 }, ops),
  ];
  for (const operator of operators) {
    const batch = operator.wavelengths_m.length;
    const mismatch = adjointMismatch(
      (x) => operator.forward(x),
      (y) => operator.adjoint(y),
      batch * N * N,
      batch * operator.outputSize ** 2,
      7,
    );
    assert.ok(mismatch < 1e-5, `${operator.constructor.name}: adjoint mismatch ${mismatch}`);
  }
  // Sensor integration with fractional overlaps (real operator).
  const coordinates = Float64Array.from({ length: 20 }, (_, i) => (i - 10) * 1e-6);
  const sensor = SensorIntegration.overlapping(coordinates, 1e-6, 6, 2.7e-6);
  const x = randomReal(B * 400, 11);
  const y = randomReal(B * 36, 12);
  const lhs = dot(sensor.forward(x, B), y);
  const rhs = dot(x, sensor.adjoint(y, B));
  assert.ok(Math.abs(lhs - rhs) < 1e-5 * Math.abs(lhs), `sensor adjoint ${lhs} vs ${rhs}`);
});

test("sensor integration keeps the energy of the samples the pixels cover", () => {
  const coordinates = Float64Array.from({ length: 27 }, (_, i) => (i - 13) * 1e-6);
  const sensor = SensorIntegration.overlapping(coordinates, 1e-6, 9, 3e-6);
  const intensity = new Float32Array(27 * 27).fill(2);
  const energy = sensor.forward(intensity, 1);
  const total = energy.reduce((a, b) => a + b, 0);
  // 9 pixels of 3 um, centred like the samples, cover exactly the 27 um they span.
  assert.ok(Math.abs(total - 2 * (27e-6) ** 2) < 1e-5 * total, `total ${total}`);
});

/**
 * Central finite difference of loss = <w, PSF> vs the adjoint gradient, along a random direction plus
 * the gradient's own (so the directional derivative stands well above float32 rounding of the loss).
 */
function gradientMismatch(model: PsfModel, params: Float32Array, step: number, seed: number): number {
  const weights = randomReal(model.batch * model.windowPixels ** 2, seed);
  const { vjp } = model.forwardWithVjp(params);
  const gradient = vjp(weights);
  const noise = randomReal(params.length, seed + 1);
  const ratio = Math.sqrt(dot(noise, noise) / dot(gradient, gradient));
  const direction = noise.map((v, i) => v + ratio * gradient[i]);
  const analytic = dot(gradient, direction);
  const shifted = (sign: number) => dot(weights, model.forward(params.map((p, i) => p + sign * step * direction[i])));
  const numeric = (shifted(1) - shifted(-1)) / (2 * step);
  return Math.abs(analytic - numeric) / Math.abs(numeric);
}

function lensPhase(grid: Grid, wavelength_m: number, focus_m: number, batch: number): Float32Array {
  const N = grid.size;
  const out = new Float32Array(batch * N * N);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < N; r++) {
      for (let c = 0; c < N; c++) {
        const rho2 = grid.coordinate_m(r) ** 2 + grid.coordinate_m(c) ** 2;
        out[b * N * N + r * N + c] = (-Math.PI * rho2) / (wavelength_m * focus_m) + 0.3 * Math.sin(r * 0.7 + c * 1.3 + b);
      }
    }
  }
  return out;
}

test("PSF window gradients (phase metasurfaces, several wavelengths, each normalisation) match finite differences", () => {
  const wavelengths_m = [640e-9, 550e-9, 460e-9, 640e-9];
  for (const normalisation of ["unit-sum", "incident-energy", "none"] as const) {
    const model = createPsfWindowModel(
      { cells: 32, cellPitch_m: 2e-6, distance_m: 2e-3, sensorPitch_m: 3e-6, windowPixels: 6, wavelengths_m, metasurface: new PhaseMetasurface(), normalisation },
      ops,
    );
    const params = lensPhase(new Grid(32, 2e-6), 550e-9, 2e-3, wavelengths_m.length);
    const mismatch = gradientMismatch(model, params, 1e-2, 21);
    assert.ok(mismatch < 2e-3, `${normalisation}: relative gradient error ${mismatch}`);
  }
});

test("full-field PSF gradients (asm, fresnel, lens focus, sensor integration) match finite differences", () => {
  const cases = [
    { method: "asm" as const, distance_m: 5e-4, sensorPitch_m: undefined },
    { method: "fresnel" as const, distance_m: 5e-4, sensorPitch_m: 3e-6 },
    { method: "lens-focus" as const, distance_m: 2e-3, sensorPitch_m: undefined },
  ];
  for (const c of cases) {
    const model = createFullFieldPsfModel(
      { cells: 24, cellPitch_m: 2e-6, distance_m: c.distance_m, wavelengths_m: [550e-9, 550e-9], metasurface: new PhaseMetasurface(), method: c.method, padding: 2, sensorPitch_m: c.sensorPitch_m },
      ops,
    );
    const params = lensPhase(new Grid(24, 2e-6), 550e-9, c.distance_m, 2);
    const mismatch = gradientMismatch(model, params, 1e-2, 31);
    assert.ok(mismatch < 2e-3, `${c.method}: relative gradient error ${mismatch}`);
  }
});

test("sampling rules and unit slips raise errors that say what to change", () => {
  const grid = new Grid(64, 2e-6);
  assert.throws(
    () => new FullFieldPropagator({ grid, wavelengths_m: [550e-9], distance_m: 0.1, method: "fresnel-tf", padding: 2 }, ops),
    /fresnel-tf: distance_m = 0.1 exceeds P dx\^2 \/ lambda .*use fresnel-ir/,
  );
  assert.throws(
    () => new FullFieldPropagator({ grid, wavelengths_m: [550e-9], distance_m: 1e-5, method: "fresnel-ir", padding: 2 }, ops),
    /fresnel-ir: .*below P dx\^2 \/ lambda.*use fresnel-tf/,
  );
  assert.throws(
    () => new FullFieldPropagator({ grid, wavelengths_m: [550], distance_m: 1e-3, method: "asm", padding: 2 }, ops),
    /wavelengths_m\[0\] = 550 .*looks like nanometres: pass 550e-9/,
  );
  assert.throws(() => new Grid(64, 2.5), /grid.pitch_m = 2.5 .*looks like micrometres: pass 2.5e-6/);
  assert.throws(
    () => createPsfWindowModel({ cells: 32, cellPitch_m: 2e-6, distance_m: 10, sensorPitch_m: 3e-6, windowPixels: 6, wavelengths_m: [550e-9], metasurface: new PhaseMetasurface() }, ops),
    /distance_m = 10 .*looks like millimetres: pass 10e-3/,
  );
  assert.throws(
    () => createPsfWindowModel({ cells: 64, cellPitch_m: 2e-6, distance_m: 1e-3, sensorPitch_m: 20e-6, windowPixels: 6, wavelengths_m: [550e-9], metasurface: new PhaseMetasurface(), subsamplesPerPixel: 1 }, ops),
    /subsamplesPerPixel = 1 .*pixel energies would alias; use at least/,
  );
  const model = createPsfWindowModel({ cells: 8, cellPitch_m: 2e-6, distance_m: 1e-3, sensorPitch_m: 3e-6, windowPixels: 3, wavelengths_m: [550e-9], metasurface: new PhaseMetasurface() }, ops);
  const params = new Float32Array(64);
  params[9] = Number.NaN;
  assert.throws(() => model.forward(params), /metasurface 0, cell \(1, 1\) is NaN/);
  assert.throws(() => model.forward(new Float32Array(63)), /expected Float32Array \[1, 8, 8\]/);
});
