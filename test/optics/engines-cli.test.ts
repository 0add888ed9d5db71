import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readNpy, writeNpy } from "../../src/io/npy.js";
import type { ComplexOps, PlanarComplex } from "../../src/engine/complex/complex-ops.js";
import { jsComplexOps } from "../../src/engine/complex/complex-ops-js.js";
import { initComplexOps } from "../../src/engine/complex/select.js";
import { PhaseMetasurface } from "../../src/optics/metasurface.js";
import { createFullFieldPsfModel, createPsfWindowModel } from "../../src/optics/psf-model.js";
import { unitSumNmse } from "../../src/optics/model-agreement.js";
import { maxRelativeError, randomComplex, randomReal } from "./helpers.js";

const selection = await initComplexOps();
const native: ComplexOps | null = selection.ops.name === "native" ? selection.ops : null;
const skipNative = native ? false : `native complex ops unavailable (${selection.fallbacks.join("; ")})`;

test("native and TypeScript complex ops agree within 1e-5 relative (fft2d incl. Bluestein, gemm, PSF paths)", { skip: skipNative }, () => {
  const js = jsComplexOps();
  const nat = native as ComplexOps;
  for (const [rows, cols] of [[64, 64], [48, 20]]) {
    const x = randomComplex(3 * rows * cols, rows);
    for (const inverse of [false, true]) {
      const a: PlanarComplex = { re: x.re.slice(), im: x.im.slice() };
      const b: PlanarComplex = { re: x.re.slice(), im: x.im.slice() };
      js.fft2d(a, 3, rows, cols, inverse);
      nat.fft2d(b, 3, rows, cols, inverse);
      assert.ok(maxRelativeError(b.re, a.re) < 1e-5 && maxRelativeError(b.im, a.im) < 1e-5, `fft ${rows}x${cols}`);
    }
  }
  const common = { cells: 40, cellPitch_m: 2e-6, wavelengths_m: [640e-9, 550e-9, 460e-9, 640e-9], metasurface: new PhaseMetasurface() };
  const params = randomReal(4 * 1600, 3, 6);
  const makers = [
    (ops: ComplexOps) => createPsfWindowModel({ ...common, distance_m: 2e-3, sensorPitch_m: 3e-6, windowPixels: 7 }, ops),
    (ops: ComplexOps) => createFullFieldPsfModel({ ...common, distance_m: 2e-4, method: "asm", padding: 2 }, ops),
  ];
  for (const make of makers) {
    const a = make(js).forwardWithVjp(params);
    const b = make(nat).forwardWithVjp(params);
    assert.ok(maxRelativeError(b.psf, a.psf) < 1e-5, "psf");
    const g = randomReal(a.psf.length, 4);
    assert.ok(maxRelativeError(b.vjp(g), a.vjp(g)) < 1e-4, "gradient");
  }
});

test("optocnn psf writes a unit-sum PSF and validate-optics writes passing JSON", () => {
  const dir = mkdtempSync(join(tmpdir(), "optocnn-psf-"));
  try {
    const N = 32;
    const phase = new Float32Array(N * N);
    for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) phase[r * N + c] = (-Math.PI * ((r - 16) ** 2 + (c - 16) ** 2) * 4e-12) / (550e-9 * 1e-3);
    writeNpy(join(dir, "phase.npy"), { data: phase, shape: [N, N] });
    const cli = (args: string[]) => execFileSync(process.execPath, ["bin/optocnn.mjs", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const summary = JSON.parse(cli(["psf", "--phase", join(dir, "phase.npy"), "--wavelength-nm", "550", "--pitch-um", "2", "--distance-mm", "1", "--method", "asm", "--out", join(dir, "psf.npy")]));
    assert.equal(summary.method, "asm");
    const psf = readNpy(join(dir, "psf.npy"));
    assert.deepEqual(psf.shape, [N, N]);
    const data = psf.data as Float32Array;
    assert.ok(Math.abs(data.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.ok(data.every((v) => v >= 0));
    // The lens focuses on axis: the peak is the centre sample.
    assert.equal(data.indexOf(Math.max(...data)), 16 * N + 16);
    // A sensor window: the cell-model angular spectrum, the same PSF as the DKO window model within 1e-3.
    const windowed = JSON.parse(
      cli(["psf", "--phase", join(dir, "phase.npy"), "--wavelength-nm", "550", "--pitch-um", "2", "--distance-mm", "1", "--method", "asm", "--sensor-pitch-um", "3", "--window-pixels", "6", "--out", join(dir, "window.npy")]),
    );
    assert.match(windowed.method, /piecewise-constant cells/);
    const cliWindow = readNpy(join(dir, "window.npy")).data as Float32Array;
    const model = createPsfWindowModel({ cells: N, cellPitch_m: 2e-6, distance_m: 1e-3, sensorPitch_m: 3e-6, windowPixels: 6, wavelengths_m: [550e-9], metasurface: new PhaseMetasurface() });
    const nmse = unitSumNmse(model.forward(phase), cliWindow);
    assert.ok(nmse < 1e-3, `window model vs psf --method asm window: NMSE ${nmse}`);
    assert.throws(
      () => cli(["psf", "--phase", join(dir, "phase.npy"), "--wavelength-nm", "550", "--pitch-um", "2", "--distance-mm", "1", "--method", "fresnel", "--sensor-pitch-um", "3", "--window-pixels", "6", "--out", join(dir, "x.npy")]),
      /use --method asm/,
    );
    assert.throws(() => cli(["psf", "--phase", join(dir, "phase.npy"), "--wavelength-nm", "0.55", "--pitch-um", "2", "--distance-mm", "1", "--method", "asm", "--out", join(dir, "x.npy")]), /--wavelength-nm: is in nanometres .*looks like micrometres: give 550/);
    cli(["validate-optics", "--out", join(dir, "checks.json")]);
    const checks = JSON.parse(readFileSync(join(dir, "checks.json"), "utf8")) as { name: string; pass: boolean }[];
    assert.ok(checks.length >= 15 && checks.every((c) => c.pass));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
