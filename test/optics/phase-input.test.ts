// The window operator's fused phase input (field made tile by tile where the products read it, and made
// again for the phase gradient) must give the PSFs and gradients of the plain path: transmission,
// aperture, mask, row-major tiles; and its fused Adam step the plain gradient followed by Adam.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ComplexOps } from "../../src/engine/complex/complex-ops.js";
import { jsComplexOps } from "../../src/engine/complex/complex-ops-js.js";
import { nativeComplexOps } from "../../src/engine/native/complex-ops-native.js";
import { PhaseMetasurface, type MetasurfaceModel } from "../../src/optics/metasurface.js";
import { createPsfWindowModel, type ApertureSpec } from "../../src/optics/psf-model.js";
import type { WindowKernel } from "../../src/optics/window-validity.js";
import { adamStepAt, adamUpdateFlat } from "../../src/engine/adam-step.js";
import { maxRelativeError, randomReal } from "./helpers.js";

/** The phase metasurface without its phaseOnly flag: the model takes the plain path. */
const plainPhase = (): MetasurfaceModel => {
  const phase = new PhaseMetasurface();
  return { kind: "phase", parameterMeaning: phase.parameterMeaning, differentiable: true, forWavelength: (w, ops) => phase.forWavelength(w, ops) };
};

test("fused phase input equals the plain path: PSFs and gradients, masks and apertures, strided wavelength runs, both engines", () => {
  // Two wavelengths interleaved: each wavelength's items form a run with index step 2.
  const wavelengths_m = [460e-9, 640e-9, 460e-9, 640e-9, 460e-9];
  const N = 40;
  const engines = [jsComplexOps(), nativeComplexOps()].filter((ops): ops is ComplexOps => ops !== null);
  const cases: { kernel: WindowKernel; aperture: ApertureSpec; distortionTiles: number }[] = [
    { kernel: "rayleigh-sommerfeld", aperture: "square", distortionTiles: 3 },
    { kernel: "rayleigh-sommerfeld", aperture: "circle", distortionTiles: 4 },
    { kernel: "paraxial", aperture: "circle", distortionTiles: 0 },
  ];
  for (const ops of engines) {
    for (const { kernel, aperture, distortionTiles } of cases) {
      const options = { cells: N, cellPitch_m: 2e-6, distance_m: 4e-4, sensorPitch_m: 2.74e-6, windowPixels: 6, wavelengths_m, kernel, aperture, distortionTiles, subsamplesPerPixel: 3 };
      const fused = createPsfWindowModel({ ...options, metasurface: new PhaseMetasurface() }, ops);
      const plain = createPsfWindowModel({ ...options, metasurface: plainPhase() }, ops);
      const params = randomReal(wavelengths_m.length * N * N, 5, 8);
      const weights = randomReal(wavelengths_m.length * 36, 6);
      const a = fused.forwardWithVjp(params);
      const b = plain.forwardWithVjp(params);
      const label = `${ops.name} ${kernel} ${aperture}`;
      assert.ok(maxRelativeError(a.psf, b.psf) < 1e-5, `${label}: PSFs differ by ${maxRelativeError(a.psf, b.psf)}`);
      const gradient = a.vjp(weights);
      assert.ok(maxRelativeError(gradient, b.vjp(weights)) < 1e-4, `${label}: gradients differ by ${maxRelativeError(gradient, b.vjp(weights))}`);
      assert.ok(gradient.some((g) => g !== 0), `${label}: a zero gradient would pass trivially`);
    }
  }
});

test("the fused Adam step equals the plain vjp, untrained items zeroed, best copies taken first, then Adam(W), both engines", () => {
  const wavelengths_m = [460e-9, 640e-9, 460e-9, 640e-9, 460e-9];
  const B = wavelengths_m.length;
  const N = 40;
  const plane = N * N;
  const trained = [true, false, true, true, false];
  const keepBest = [true, true, false, false, true];
  const step = adamStepAt(3, 0.05, { weightDecay: 0.1 });
  const engines = [jsComplexOps(), nativeComplexOps()].filter((ops): ops is ComplexOps => ops !== null);
  for (const ops of engines) {
    const options = { cells: N, cellPitch_m: 2e-6, distance_m: 4e-4, sensorPitch_m: 2.74e-6, windowPixels: 6, wavelengths_m, aperture: "circle" as const, subsamplesPerPixel: 3 };
    const fused = createPsfWindowModel({ ...options, metasurface: new PhaseMetasurface() }, ops);
    const plain = createPsfWindowModel({ ...options, metasurface: plainPhase() }, ops);
    assert.ok(fused.fusedPhaseStep && !plain.fusedPhaseStep);
    const params = randomReal(B * plane, 5, 8);
    const weights = randomReal(B * 36, 6);
    // Moments from earlier steps (v > 0), so the update is a smooth function of the gradient.
    const m0 = randomReal(B * plane, 7, 1e-3);
    const v0 = Float32Array.from(randomReal(B * plane, 8), (x) => 1e-6 * (1 + x * x));

    const gradient = plain.forwardWithVjp(params).vjp(weights);
    trained.forEach((yes, b) => yes || gradient.fill(0, b * plane, (b + 1) * plane));
    const expected = { params: Float32Array.from(params), m: Float32Array.from(m0), v: Float32Array.from(v0) };
    adamUpdateFlat(expected.params, expected.m, expected.v, gradient, step);

    const got = { params: Float32Array.from(params), m: Float32Array.from(m0), v: Float32Array.from(v0), best: new Float32Array(B * plane) };
    const { adamStep } = fused.forwardWithVjp(got.params);
    adamStep!(weights, { kind: "adam", m: got.m, v: got.v, step, trained, keepBest, best: got.best });

    const delta = (x: Float32Array) => x.map((value, i) => value - params[i]);
    assert.ok(maxRelativeError(delta(got.params), delta(expected.params)) < 1e-3, `${ops.name}: steps differ by ${maxRelativeError(delta(got.params), delta(expected.params))}`);
    assert.ok(maxRelativeError(got.m, expected.m) < 1e-3 && maxRelativeError(got.v, expected.v) < 1e-3, `${ops.name}: moments differ`);
    for (let b = 0; b < B; b++) {
      const range = [b * plane, (b + 1) * plane] as const;
      const copied = got.best.subarray(...range);
      assert.ok(keepBest[b] ? copied.every((x, i) => x === params[range[0] + i]) : copied.every((x) => x === 0), `${ops.name}: best of item ${b}`);
      // Untrained items only decay: with zero gradient their moments shrink by beta1 and beta2 exactly as Adam's.
      if (!trained[b]) assert.ok(maxRelativeError(got.m.subarray(...range), m0.subarray(...range).map((x) => step.beta1 * x)) < 1e-6, `${ops.name}: item ${b} took a gradient`);
    }
  }
});

test("the native engine's factored x-side products give the dense path's PSFs and gradients where the factors are much narrower than the window", (t) => {
  const ops = nativeComplexOps();
  if (!ops) return t.skip("the native addon is not built");
  // The paper's pitch, distance and sensor window on 257 cells in 4 x 4 tiles: 56 window samples, matrices of numerical rank ~12.
  const wavelengths_m = [640e-9, 460e-9];
  const N = 257;
  const options = { cells: N, cellPitch_m: 2.5e-6, distance_m: 10e-3, sensorPitch_m: 2.74e-6, windowPixels: 14, wavelengths_m, subsamplesPerPixel: 4, distortionTiles: 4 };
  const fused = createPsfWindowModel({ ...options, metasurface: new PhaseMetasurface() }, ops);
  const plain = createPsfWindowModel({ ...options, metasurface: plainPhase() }, ops);
  const ranks = (fused.operator.phaseInput!(null)).factorRanks;
  for (const w of wavelengths_m) assert.ok(ranks.get(w)! <= 16, `rank ${ranks.get(w)} at ${w}: the test should run truncated factors (56 samples)`);
  // A focusing phase plus noise, so the window holds most of the PSF's light.
  const params = new Float32Array(wavelengths_m.length * N * N);
  const noise = randomReal(params.length, 9, 0.6);
  wavelengths_m.forEach((w, b) => {
    for (let r = 0; r < N; r++) {
      for (let c = 0; c < N; c++) {
        const [x, y] = [(c - 128) * 2.5e-6, (r - 128) * 2.5e-6];
        params[b * N * N + r * N + c] = (-Math.PI * (x * x + y * y)) / (w * 10e-3) + noise[b * N * N + r * N + c];
      }
    }
  });
  const weights = randomReal(wavelengths_m.length * 14 * 14, 6);
  const a = fused.forwardWithVjp(params);
  const b = plain.forwardWithVjp(params);
  assert.ok(maxRelativeError(a.psf, b.psf) < 1e-5, `PSFs differ by ${maxRelativeError(a.psf, b.psf)}`);
  const gradient = a.vjp(weights);
  const expected = b.vjp(weights);
  assert.ok(maxRelativeError(gradient, expected) < 1e-4, `gradients differ by ${maxRelativeError(gradient, expected)}`);
});
