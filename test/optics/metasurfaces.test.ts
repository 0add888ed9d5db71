import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsComplexOps } from "../../src/engine/complex/complex-ops-js.js";
import { gaussianSampler, perturbPhase, perturbRadius } from "../../src/optics/fabrication.js";
import { QuantisedPhaseMetasurface, quantisePhase } from "../../src/optics/metasurface.js";
import { loadNanopillarLut, NanopillarMetasurface } from "../../src/optics/nanopillar-lut.js";
import { fundamentalModeIndex, titaniaIndex } from "../../src/optics/nanopillar-model.js";
import { createPsfWindowModel } from "../../src/optics/psf-model.js";
import { finiteDifferenceMismatch } from "../../src/optics/validation.js";
import { randomReal } from "./helpers.js";

const ops = jsComplexOps();

test("the default nanopillar table loads, says it is a model, and interpolates through its rows", () => {
  const lut = loadNanopillarLut();
  assert.match(lut.provenance, /MODEL, not measured or RCWA/);
  assert.equal(lut.minRadius_m, 15e-9);
  assert.equal(lut.maxRadius_m, 135e-9);
  assert.deepEqual([...lut.wavelengths_m], [460e-9, 550e-9, 640e-9]);
  const value = new Float64Array(4);
  const text = JSON.parse(readFileSync(new URL("../../src/optics/data/nanopillar-tio2.json", import.meta.url), "utf8")) as { amplitude: number[][]; phase_rad: number[][] };
  lut.evaluate(1, 75e-9, value);
  const a = text.amplitude[1][60];
  const p = text.phase_rad[1][60];
  assert.ok(Math.abs(value[0] - a * Math.cos(p)) < 1e-9 && Math.abs(value[1] - a * Math.sin(p)) < 1e-9);
  // Phase coverage grows as the wavelength shrinks (more optical path per nanometre of radius).
  const span = text.phase_rad.map((row) => row[row.length - 1] - row[0]);
  assert.ok(span[0] > span[1] && span[1] > span[2] && span[2] > 1.5 * Math.PI, `phase spans ${span}`);
});

test("LP01 effective index lies between air and TiO2 and grows with the radius", () => {
  const n = titaniaIndex(550e-9);
  const small = fundamentalModeIndex(20e-9, 550e-9, n);
  const large = fundamentalModeIndex(130e-9, 550e-9, n);
  assert.ok(small > 1 && small < 1.1, `small pillar ${small}`);
  assert.ok(large > small && large < n, `large pillar ${large}`);
});

test("nanopillar radius stays in range for any parameter, and round-trips through parameter()", () => {
  const pillars = new NanopillarMetasurface(loadNanopillarLut());
  for (const p of [-1e6, -30, -1, 0, 2, 50, 1e6]) {
    const r = pillars.radius_m(p);
    assert.ok(r >= 15e-9 && r <= 135e-9, `radius ${r} for parameter ${p}`);
  }
  for (const r of [20e-9, 75e-9, 130e-9]) assert.ok(Math.abs(pillars.radius_m(pillars.parameter(r)) - r) < 1e-15);
  assert.throws(() => pillars.forWavelength(500e-9), /no entry for wavelength 500.0 nm \(table has 460.0 nm, 550.0 nm, 640.0 nm\)/);
});

test("CSV tables load, and malformed tables are refused with the reason", () => {
  const dir = mkdtempSync(join(tmpdir(), "optocnn-lut-"));
  try {
    const rows = ["radius_nm,wavelength_nm,amplitude,phase_rad"];
    for (let r = 20; r <= 120; r += 10) rows.push(`${r},532,0.9,${((r - 20) / 100) * 2 * Math.PI}`);
    writeFileSync(join(dir, "ok.csv"), rows.join("\n"));
    const lut = loadNanopillarLut(join(dir, "ok.csv"));
    assert.equal(lut.radii_m.length, 11);
    const value = new Float64Array(4);
    lut.evaluate(0, 70e-9, value);
    assert.ok(Math.abs(Math.hypot(value[0], value[1]) - 0.9) < 0.01);
    writeFileSync(join(dir, "coarse.csv"), ["radius_nm,wavelength_nm,amplitude,phase_rad", "20,532,1,0", "60,532,1,2.5", "100,532,1,5"].join("\n"));
    assert.throws(() => loadNanopillarLut(join(dir, "coarse.csv")), /phase jumps 2.50 rad .*sample the radius more finely/);
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ radius_m: [1e-8, 2e-8], wavelength_m: [550e-9], amplitude: [[1, 1.5]], phase_rad: [[0, 0.1]] }));
    assert.throws(() => loadNanopillarLut(join(dir, "bad.json")), /amplitude 1.5 .* must be in \[0, 1\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("nanopillar PSF gradients match finite differences at every wavelength", () => {
  const pillars = new NanopillarMetasurface(loadNanopillarLut());
  const model = createPsfWindowModel(
    { cells: 24, cellPitch_m: 2e-6, distance_m: 2e-3, sensorPitch_m: 3e-6, windowPixels: 5, wavelengths_m: [640e-9, 550e-9, 460e-9], metasurface: pillars },
    ops,
  );
  const mismatch = finiteDifferenceMismatch(model, randomReal(3 * 24 * 24, 9, 4), 1e-3, 10);
  assert.ok(mismatch < 2e-3, `relative gradient error ${mismatch}`);
});

test("quantisation rounds to the nearest level and the quantised model refuses gradients", () => {
  const q = quantisePhase(Float32Array.from([0.1, 0.9, -0.1, 2 * Math.PI - 0.2, 3.0]), 4);
  const step = Math.PI / 2;
  assert.deepEqual([...q].map((v) => Math.round(v / step)), [0, 1, 0, 0, 2]);
  const model = createPsfWindowModel(
    { cells: 8, cellPitch_m: 2e-6, distance_m: 1e-3, sensorPitch_m: 3e-6, windowPixels: 3, wavelengths_m: [550e-9], metasurface: new QuantisedPhaseMetasurface(4) },
    ops,
  );
  const { psf, vjp } = model.forwardWithVjp(new Float32Array(64));
  assert.ok(Math.abs(psf.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  assert.throws(() => vjp(new Float32Array(9)), /quantised-phase \(4 levels\) has no gradient/);
});

test("fabrication errors are seeded, have the requested rms, and keep radii in range", () => {
  const normal = gaussianSampler(3);
  const samples = Array.from({ length: 20000 }, normal);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length;
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(variance - 1) < 0.04, `mean ${mean}, variance ${variance}`);
  const phase = new Float32Array(10000);
  const a = perturbPhase(phase, 0.2, 7);
  assert.deepEqual(a, perturbPhase(phase, 0.2, 7));
  assert.notDeepEqual(a, perturbPhase(phase, 0.2, 8));
  const rms = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  assert.ok(Math.abs(rms - 0.2) < 0.01, `rms ${rms}`);
  const pillars = new NanopillarMetasurface(loadNanopillarLut());
  const params = new Float32Array(5000).fill(pillars.parameter(75e-9));
  const perturbed = perturbRadius(params, pillars, 5e-9, 1);
  const radii = [...perturbed].map((p) => pillars.radius_m(p));
  const radiusRms = Math.sqrt(radii.reduce((s, r) => s + (r - 75e-9) ** 2, 0) / radii.length);
  assert.ok(Math.abs(radiusRms - 5e-9) < 0.3e-9, `radius rms ${radiusRms}`);
  const edge = perturbRadius(new Float32Array(1000).fill(pillars.parameter(134e-9)), pillars, 5e-9, 2);
  assert.ok([...edge].every((p) => pillars.radius_m(p) <= 135e-9 && pillars.radius_m(p) >= 15e-9));
  assert.throws(() => perturbRadius(params, pillars, 5, 1), /did you pass nanometres/);
});
