// The window model against exact scalar diffraction: the non-paraxial mask (adjoint, gradients, on-axis
// Rayleigh-Sommerfeld integral), the Gauss-Legendre pixel quadrature, and agreement with the cell-model
// angular spectrum at the DKO geometries on lens-like designs, before and after a few fitting steps.
import assert from "node:assert/strict";
import { test } from "node:test";
import { jsComplexOps } from "../../src/engine/complex/complex-ops-js.js";
import { DEFAULT_DISTORTION_TILES, FresnelWindowOperator, type WindowKernel } from "../../src/optics/fresnel-window.js";
import { Grid } from "../../src/optics/grid.js";
import { PhaseMetasurface } from "../../src/optics/metasurface.js";
import { focusingPhase, unitSumNmse, windowAgreement, type WindowGeometry } from "../../src/optics/model-agreement.js";
import { gaussLegendre, SensorWindow } from "../../src/optics/pixel-quadrature.js";
import { convergedSubsamples, createPsfWindowModel, type PsfModel } from "../../src/optics/psf-model.js";
import { SensorIntegration } from "../../src/optics/sensor-integration.js";
import { DKO_WINDOW_GEOMETRIES, finiteDifferenceMismatch } from "../../src/optics/validation.js";
import { windowModelValidity } from "../../src/optics/window-validity.js";
import { adjointMismatch, dot, randomReal } from "./helpers.js";

const ops = jsComplexOps();
const RGB_M = [640e-9, 550e-9, 460e-9];
const [DEFAULT_GEOMETRY, PAPER_GEOMETRY] = DKO_WINDOW_GEOMETRIES.map((g) => g.geometry);

test("Gauss-Legendre pixel rules: known nodes, exact moments up to degree 2n - 1", () => {
  const two = gaussLegendre(2);
  assert.ok(Math.abs(two.positions[1] - 1 / (2 * Math.sqrt(3))) < 1e-14 && Math.abs(two.positions[0] + two.positions[1]) < 1e-15);
  for (const n of [1, 2, 3, 4, 7]) {
    const { positions, weights } = gaussLegendre(n);
    for (let degree = 0; degree <= 2 * n - 1; degree++) {
      let rule = 0;
      for (let s = 0; s < n; s++) rule += weights[s] * positions[s] ** degree;
      // Mean of x^degree over (-1/2, 1/2).
      const exact = degree % 2 === 1 ? 0 : 1 / ((degree + 1) * 2 ** degree);
      assert.ok(Math.abs(rule - exact) < 1e-13, `n = ${n}, degree ${degree}: ${rule} vs ${exact}`);
    }
  }
});

test("quadrature sensor integration: adjoint and the energy of a uniform intensity", () => {
  const window = new SensorWindow({ pixels: 5, pitch_m: 2.74e-6, nodesPerPixel: 3 });
  const sensor = SensorIntegration.quadrature(window);
  const S = window.samples;
  const x = randomReal(2 * S * S, 1);
  const y = randomReal(2 * 25, 2);
  const lhs = dot(sensor.forward(x, 2), y);
  const rhs = dot(x, sensor.adjoint(y, 2));
  assert.ok(Math.abs(lhs - rhs) < 1e-5 * Math.abs(lhs), `${lhs} vs ${rhs}`);
  const energy = sensor.forward(new Float32Array(S * S).fill(3), 1);
  for (const e of energy) assert.ok(Math.abs(e - 3 * 2.74e-6 ** 2) < 1e-6 * e, `pixel energy ${e}`);
  // Nodes sit inside their pixels, symmetric about the centre pixel's axis.
  const nodes = window.nodeCoordinates_m();
  assert.ok(Math.abs(nodes[7] - 0) < 1e-18 && Math.abs(nodes[0] + nodes[S - 1]) < 1e-18);
});

test("every window kernel passes the dot-product test, also when the masked batch is split into chunks", () => {
  const grid = new Grid(24, 2e-6);
  const wavelengths_m = [640e-9, 550e-9, 640e-9];
  const outputCoordinates_m = new SensorWindow({ pixels: 5, pitch_m: 3e-6, nodesPerPixel: 2 }).nodeCoordinates_m();
  for (const [kernel, distortionTiles] of [["paraxial", 0], ["spherical-phase", 0], ["rayleigh-sommerfeld", 3], ["rayleigh-sommerfeld", 8]] as const) {
    const operator = new FresnelWindowOperator({ grid, wavelengths_m, distance_m: 1e-4, outputCoordinates_m, kernel, distortionTiles }, ops);
    const mismatch = adjointMismatch((x) => operator.forward(x), (y) => operator.adjoint(y), 3 * 24 * 24, 3 * operator.outputSize ** 2, 5);
    assert.ok(mismatch < 1e-5, `${kernel}: adjoint mismatch ${mismatch}`);
  }
  // One tile of 1100^2 cells: a chunk of tile copies holds 3 fields, so 7 items of one wavelength run as 3 + 3 + 1.
  const big = new Grid(1100, 1e-6);
  const items = 7;
  const operator = new FresnelWindowOperator({ grid: big, wavelengths_m: new Array(items).fill(550e-9), distance_m: 2e-3, outputCoordinates_m: Float64Array.of(-1e-6, 2e-6), distortionTiles: 1 }, ops);
  const single = new FresnelWindowOperator({ grid: big, wavelengths_m: [550e-9], distance_m: 2e-3, outputCoordinates_m: Float64Array.of(-1e-6, 2e-6), distortionTiles: 1 }, ops);
  const cells = big.size ** 2;
  const fields = { re: randomReal(items * cells, 3), im: randomReal(items * cells, 4) };
  const batched = operator.forward(fields);
  for (const b of [0, 3, 6]) {
    const alone = single.forward({ re: fields.re.subarray(b * cells, (b + 1) * cells), im: fields.im.subarray(b * cells, (b + 1) * cells) });
    for (let i = 0; i < 4; i++) {
      assert.ok(Math.abs(batched.re[b * 4 + i] - alone.re[i]) <= 1e-5 * Math.hypot(alone.re[i], alone.im[i]), `item ${b} re[${i}]`);
      assert.ok(Math.abs(batched.im[b * 4 + i] - alone.im[i]) <= 1e-5 * Math.hypot(alone.re[i], alone.im[i]), `item ${b} im[${i}]`);
    }
  }
});

test("PSF gradients through the masked kernels match finite differences", () => {
  for (const [kernel, distortionTiles] of [["spherical-phase", 0], ["rayleigh-sommerfeld", 3]] as const) {
    const model = createPsfWindowModel(
      { cells: 32, cellPitch_m: 2e-6, distance_m: 2e-4, sensorPitch_m: 3e-6, windowPixels: 6, wavelengths_m: RGB_M, metasurface: new PhaseMetasurface(), kernel, distortionTiles },
      ops,
    );
    const grid = new Grid(32, 2e-6);
    const params = new Float32Array(3 * 32 * 32);
    RGB_M.forEach((w, b) => params.set(focusingPhase(grid, w, 2e-4, 0.3, b), b * 32 * 32));
    const mismatch = finiteDifferenceMismatch(model, params, 1e-2, 7);
    assert.ok(mismatch < 2e-3, `${kernel}: relative gradient error ${mismatch}`);
  }
});

test("on axis the Rayleigh-Sommerfeld kernel equals the brute-force Rayleigh-Sommerfeld integral; the paraxial kernel misses it", () => {
  // NA 0.25, quartic phase 1.5 rad at the edge: 256 x 256 cells of 0.5 um, 0.25 mm, a focusing lens with a ripple.
  const grid = new Grid(256, 0.5e-6);
  const wavelength_m = 550e-9;
  const z = 0.25e-3;
  const k = (2 * Math.PI) / wavelength_m;
  const N = grid.size;
  const phase = focusingPhase(grid, wavelength_m, z);
  for (let i = 0; i < phase.length; i++) phase[i] += 0.3 * Math.sin(Math.floor(i / N) * 0.7 + (i % N) * 1.3);
  // U(0) = integral over the piecewise-constant cells of t z / (i lambda r^2) exp(i k (r - z)) (the 1 / (k r) term is 1e-3 of it).
  const sub = 6;
  let re = 0;
  let im = 0;
  for (let r = 0; r < N; r++) {
    for (let c = 0; c < N; c++) {
      let kr = 0;
      let ki = 0;
      for (let a = 0; a < sub; a++) {
        for (let b = 0; b < sub; b++) {
          const eta = grid.coordinate_m(r) + ((a + 0.5) / sub - 0.5) * grid.pitch_m;
          const xi = grid.coordinate_m(c) + ((b + 0.5) / sub - 0.5) * grid.pitch_m;
          const rSq = z * z + xi * xi + eta * eta;
          const kernelPhase = k * (Math.sqrt(rSq) - z);
          kr += (z / rSq) * Math.cos(kernelPhase);
          ki += (z / rSq) * Math.sin(kernelPhase);
        }
      }
      const t = phase[r * N + c];
      re += Math.cos(t) * kr - Math.sin(t) * ki;
      im += Math.cos(t) * ki + Math.sin(t) * kr;
    }
  }
  const exact = (re * re + im * im) * ((grid.pitch_m / sub) ** 2 / wavelength_m) ** 2;
  const field = { re: phase.map(Math.cos), im: phase.map(Math.sin) };
  const onAxis = (kernel: WindowKernel) => {
    const u = new FresnelWindowOperator({ grid, wavelengths_m: [wavelength_m], distance_m: z, outputCoordinates_m: Float64Array.of(0), kernel }, ops).forward(field);
    return u.re[0] ** 2 + u.im[0] ** 2;
  };
  const rs = onAxis("rayleigh-sommerfeld");
  assert.ok(Math.abs(rs / exact - 1) < 5e-3, `rayleigh-sommerfeld kernel ${rs} vs integral ${exact}`);
  assert.ok(Math.abs(onAxis("paraxial") / exact - 1) > 0.5, "the paraxial kernel should miss the on-axis intensity at 1.5 rad of quartic phase");
});

test("the default node count converges pixel energies against 10 nodes per pixel (default and paper geometries)", () => {
  for (const geometry of [DEFAULT_GEOMETRY, PAPER_GEOMETRY]) {
    const wavelength_m = 460e-9;
    const phase = focusingPhase(new Grid(geometry.cells, geometry.cellPitch_m), wavelength_m, geometry.distance_m, 0.5, 2);
    const windows = (nodes: number | undefined) =>
      createPsfWindowModel({ ...geometry, wavelengths_m: [wavelength_m], metasurface: new PhaseMetasurface(), subsamplesPerPixel: nodes }, ops).forward(phase);
    const reference = windows(10);
    const nmse = unitSumNmse(windows(undefined), reference);
    const nodes = convergedSubsamples({ ...geometry, wavelengths_m: [wavelength_m] });
    assert.ok(nmse < 1e-4, `${geometry.cells} cells: ${nodes} nodes give NMSE ${nmse} against 10`);
    assert.ok(unitSumNmse(windows(2), reference) > 10 * nmse, "two nodes per pixel should be visibly worse (the test must be able to fail)");
  }
});

test("validity figures: the quartic phase the paraxial kernel drops, and warnings past the limits", () => {
  const common = { wavelengths_m: RGB_M, windowHalfWidth_m: 7 * 2.74e-6, distortionTiles: DEFAULT_DISTORTION_TILES };
  const paraxialDefault = windowModelValidity({ ...DEFAULT_GEOMETRY, ...common, kernel: "paraxial" });
  const paraxialPaper = windowModelValidity({ ...PAPER_GEOMETRY, ...common, kernel: "paraxial" });
  // Issue 15: 1.4 rad at the default aperture edge, 4.6 rad at the paper's, 18 rad in its corner (460 nm).
  assert.ok(Math.abs(paraxialDefault.quarticPhaseEdge_rad - 1.386) < 0.005, `${paraxialDefault.quarticPhaseEdge_rad}`);
  assert.ok(Math.abs(paraxialPaper.quarticPhaseEdge_rad - 4.60) < 0.01, `${paraxialPaper.quarticPhaseEdge_rad}`);
  assert.ok(Math.abs(paraxialPaper.quarticPhaseCorner_rad - 18.40) < 0.02, `${paraxialPaper.quarticPhaseCorner_rad}`);
  // a = 0.385 mm at 3 mm: NA = a / sqrt(a^2 + z^2) = 0.1272; N_F = a^2 / (lambda z) = 107.3.
  assert.ok(Math.abs(paraxialDefault.numericalApertureEdge - 0.1272) < 1e-4 && Math.abs(paraxialDefault.fresnelNumber - 107.27) < 0.01);
  assert.match(paraxialDefault.warning ?? "", /paraxial window kernel .*neglects 1\.68 rad .*use the rayleigh-sommerfeld kernel with distortion tiles/);
  for (const geometry of [DEFAULT_GEOMETRY, PAPER_GEOMETRY]) {
    // Without tiles what stays is the distortion k a^3 w / (2 z^3) at the window corner: ~0.3 rad at both.
    const untiled = windowModelValidity({ ...geometry, ...common, kernel: "spherical-phase", distortionTiles: 0 });
    const a = (geometry.cells * geometry.cellPitch_m) / 2;
    const estimate = ((2 * Math.PI) / 460e-9) * a ** 3 * common.windowHalfWidth_m / (2 * geometry.distance_m ** 3);
    assert.ok(Math.abs(untiled.residualPhaseEdge_rad / estimate - 1) < 0.1, `${untiled.residualPhaseEdge_rad} vs ${estimate}`);
    // The default tiles remove most of it (the linearisation within a tile stays).
    const tiled = windowModelValidity({ ...geometry, ...common, kernel: "rayleigh-sommerfeld" });
    assert.ok(tiled.residualPhaseEdge_rad < estimate / 5, `tiled residual ${tiled.residualPhaseEdge_rad}`);
    assert.equal(tiled.warning, null);
  }
  assert.notEqual(windowModelValidity({ ...DEFAULT_GEOMETRY, ...common, kernel: "spherical-phase", distortionTiles: 0 }).warning, null);
});

/**
 * A few steps of normalised gradient descent of the unit-sum fit loss towards a 7 x 7 target kernel in
 * the middle of the window (what DKO's first steps do to a lens), through the model's own vjp.
 */
function fittedPhase(model: PsfModel, phase: Float32Array, steps: number, seed: number): Float32Array {
  const M = model.windowPixels;
  const kernel = randomReal(49, seed).map((v) => v + 0.5);
  const target = new Float32Array(M * M);
  const offset = (M - 7) / 2;
  const total = kernel.reduce((a, v) => a + v, 0);
  for (let r = 0; r < 7; r++) for (let c = 0; c < 7; c++) target[(r + offset) * M + c + offset] = kernel[r * 7 + c] / total;
  let params = phase;
  for (let step = 0; step < steps; step++) {
    const { psf, vjp } = model.forwardWithVjp(params);
    const gradient = vjp(psf.map((p, i) => 2 * (p - target[i])));
    const rms = Math.sqrt(dot(gradient, gradient) / gradient.length);
    params = params.map((p, i) => p - (0.3 * gradient[i]) / rms);
  }
  return params;
}

function assertAgreement(geometry: WindowGeometry, wavelength_m: number, phase: Float32Array, what: string, reference: { referenceNodes?: number } = {}): void {
  const { results } = windowAgreement({ geometry, wavelength_m, phase, variants: [{ kernel: "paraxial" }, { kernel: "rayleigh-sommerfeld" }], referenceNodes: reference.referenceNodes ?? 5 }, ops);
  const [paraxial, corrected] = results;
  assert.ok(corrected.nmse < 1e-3, `${what}: default window NMSE ${corrected.nmse} against the cell-model angular spectrum`);
  assert.ok(paraxial.nmse > 1e-2, `${what}: the paraxial window should differ (NMSE ${paraxial.nmse}); else this geometry tests nothing`);
}

for (const wavelength_m of RGB_M) {
  test(`default geometry, ${wavelength_m * 1e9} nm: window model within NMSE 1e-3 of the cell-model angular spectrum (lens + noise, and after 4 fitting steps)`, () => {
    const geometry = DEFAULT_GEOMETRY;
    const grid = new Grid(geometry.cells, geometry.cellPitch_m);
    const start = focusingPhase(grid, wavelength_m, geometry.distance_m, 0.5, 11);
    assertAgreement(geometry, wavelength_m, start, "lens + 0.5 rad noise");
    const model = createPsfWindowModel({ ...geometry, wavelengths_m: [wavelength_m], metasurface: new PhaseMetasurface() }, ops);
    assertAgreement(geometry, wavelength_m, fittedPhase(model, start, 4, 12), "after 4 fitting steps");
  });
}

test("paper geometry, 460 nm (the largest quartic phase): window model within NMSE 1e-3 of the cell-model angular spectrum", () => {
  const geometry = PAPER_GEOMETRY;
  const phase = focusingPhase(new Grid(geometry.cells, geometry.cellPitch_m), 460e-9, geometry.distance_m, 0.1, 13);
  assertAgreement(geometry, 460e-9, phase, "lens + 0.1 rad noise", { referenceNodes: 4 });
});
