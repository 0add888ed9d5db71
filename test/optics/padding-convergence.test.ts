import assert from "node:assert/strict";
import { test } from "node:test";
import { initComplexOps } from "../../src/engine/complex/select.js";
import { PhaseMetasurface } from "../../src/optics/metasurface.js";
import { checkPaddedGridMemory, l1Distances, paddedGridBudgetBytes, paddedGridBytes, paddingConvergence } from "../../src/optics/padding-convergence.js";
import { createFullFieldPsfModel } from "../../src/optics/psf-model.js";

const { ops } = await initComplexOps();

test("l1Distances sums |a - b| per window; paddedGridBytes is 48 bytes per padded sample and map (+1 for the transfer function)", () => {
  assert.deepEqual(l1Distances(new Float32Array([0.5, 0.5, 1, 0]), new Float32Array([0.25, 0.75, 0, 1]), 2), [0.5, 2]);
  assert.equal(paddedGridBytes(1, 64, 2), 48 * 2 * 128 * 128);
  assert.throws(() => checkPaddedGridMemory(1, 512, 64, "--padding"), /--padding 64: the padded FFT grid \(32768 x 32768 samples.*use --padding \d+ or less/);
  const largest = Math.floor(Math.sqrt(paddedGridBudgetBytes() / (48 * 2)) / 512);
  assert.doesNotThrow(() => checkPaddedGridMemory(1, 512, largest, "--padding"));
});

test("the README's psf example (64 x 64 random phase, 550 nm, 2 um, 5 mm, asm) is not converged at padding 2 and converges as the padding grows", () => {
  let seed = 1;
  const phase = Float32Array.from({ length: 64 * 64 }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 6.28);
  const modelAt = (padding: number) =>
    createFullFieldPsfModel({ cells: 64, cellPitch_m: 2e-6, distance_m: 5e-3, wavelengths_m: [550e-9], metasurface: new PhaseMetasurface(), method: "asm", padding, normalisation: "unit-sum" }, ops);
  const changes = [2, 4, 8].map((padding) => {
    const model = modelAt(padding);
    const result = paddingConvergence({
      psf: model.forward(phase), model, batch: 1, cells: 64, padding, tolerance: 0.02,
      recompute: (p) => { const m = modelAt(p); return { psf: m.forward(phase), outputPitch_m: m.operator.outputPitch_m }; },
    });
    if (result.status !== "not-converged") throw new Error(`padding ${padding}: ${result.status} (${result.message})`);
    assert.equal(result.comparedWithPadding, 2 * padding);
    return result.l1Change[0];
  });
  // Measured: 0.260, 0.114, 0.048: the wrapped light falls by about half per doubling.
  assert.ok(changes[0] > 0.2 && changes[1] < changes[0] * 0.6 && changes[2] < changes[1] * 0.6, `L1 changes ${changes}`);
});

test("a doubled grid over the memory budget is reported as not checked for memory (never computed); a lens focus as not checked by method", () => {
  const model = createFullFieldPsfModel({ cells: 64, cellPitch_m: 2e-6, distance_m: 5e-3, wavelengths_m: [550e-9], metasurface: new PhaseMetasurface(), method: "asm", padding: 2, normalisation: "unit-sum" }, ops);
  const psf = model.forward(new Float32Array(64 * 64));
  // 20000 cells at padding 4: the doubled grid needs ~2.5e11 bytes, over any budget (at most 4 GiB).
  const memory = paddingConvergence({ psf, model, batch: 1, cells: 20000, padding: 4, tolerance: 0.02, recompute: () => assert.fail("recomputed over the memory budget") });
  assert.equal(memory.status, "not-checked");
  assert.equal(memory.status === "not-checked" && memory.reason, "memory");
  assert.match(memory.message, /convergence of padding 4 is unverified/);
  const lens = paddingConvergence({ psf, model, batch: 1, cells: 64, padding: 2, tolerance: 0.02, recompute: () => ({ psf, outputPitch_m: model.operator.outputPitch_m * 2 }) });
  assert.equal(lens.status === "not-checked" && lens.reason, "method");
});
