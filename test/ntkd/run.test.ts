import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readNpy } from "../../src/io/npy.js";
import { presetNtkdConfig as ntkdConfig } from "../../src/pipeline/preset-configs.js";
import { NTKD_SUMMARY_FORMAT, runNtkd, type NtkdSummary } from "../../src/ntkd/run.js";

const dir = mkdtempSync(join(tmpdir(), "ntkd-run-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("optocnn ntkd on the tiny preset: summary.json with every mode, the estimate and the fabrication study", async () => {
  const config = ntkdConfig("tiny");
  const { initEngine } = await import("../../src/engine/backend.js");
  await initEngine();
  const tensorsBefore = tf.memory().numTensors;
  const { outDir } = await runNtkd({ outDir: dir, config });
  // Every network, optimiser, direction and PSF tensor of the run is freed.
  assert.equal(tf.memory().numTensors, tensorsBefore);
  const summary = JSON.parse(readFileSync(join(outDir, "summary.json"), "utf8")) as NtkdSummary;
  assert.equal(summary.format, NTKD_SUMMARY_FORMAT);
  assert.equal(summary.datasets.length, 1);
  const d = summary.datasets[0];
  assert.equal(d.name, "mnist");
  assert.equal(d.trainImages, 600);
  for (const key of ["teacher", "none", "kd", "ntkd", "dko"] as const) {
    const s = d.accuracy[key];
    assert.equal(s.values.length, 1);
    assert.ok(s.mean >= 0 && s.mean <= 1 && s.std === 0, `${key}: ${JSON.stringify(s)}`);
  }
  // 30 teacher steps on 600 digits are far above chance (10 %).
  assert.ok(d.accuracy.teacher.mean > 0.2, `teacher ${d.accuracy.teacher.mean}`);
  const seed = d.seeds[0];
  assert.equal(seed.modes.ntkd.confusion.flat().reduce((a, v) => a + v, 0), 300);
  // Student parameters: phases 2K N^2 + 2K gains + back end (7x7 pooled maps x K -> 16 -> 10).
  assert.equal(seed.modes.none.parameters, 4 * 24 * 24 + 4 + (7 * 7 * 2 * 16 + 16) + (16 * 10 + 10));
  // Tiny layout: 48 um apertures, (28 + 4) x 2.74 um sub-images -> 97.68 um tiles; (300 + 10) / 97.68 -> 3 per side.
  assert.equal(d.layout.signedKernels, 4);
  assert.deepEqual(d.estimates.map((e) => [e.kernels, e.fitsLayout]), [[1, true], [2, true]]);
  d.estimates.forEach((e) => assert.ok(e.accuracy > 0 && e.accuracy <= 1 && config.estimate.ridges.includes(e.ridge)));
  assert.equal(d.estimateVsMeasured.estimate, d.estimates[1].accuracy);
  const f = d.fabrication;
  for (const value of [f.design, f.fabricated, f.finetuneTask, f.finetuneNtkd]) assert.ok(value.mean >= 0 && value.mean <= 1);
  // The design is the trained NTKD student seen through fixed optics: the same accuracy.
  assert.equal(f.design.mean, d.accuracy.ntkd.mean);
  assert.deepEqual(f.sweep.map((s) => s.phaseRms_rad), [0, 0.5]);
  assert.equal(f.sweep[0].accuracy.mean, f.design.mean);
  const psfs = readNpy(join(outDir, "mnist", "psfs-ntkd.npy"));
  assert.deepEqual(psfs.shape, [4, 10, 10]);
  for (const mode of ["none", "kd", "dko"]) assert.ok(existsSync(join(outDir, "mnist", `psfs-${mode}.npy`)));
  // Wall seconds per phase: per seed, per data set and for the run (the budget's breakdown).
  const phases = ["data", "estimate", "teacher", "none", "kd", "ntkd", "dko.stage1", "dko.synthesis", "dko.stage2", "evaluation", "fabrication.scoring", "fabrication.finetuneTask", "fabrication.finetuneNtkd", "fabrication.sweep"];
  assert.deepEqual(Object.keys(summary.phaseSeconds).sort(), [...phases].sort());
  for (const phase of phases) assert.ok(summary.phaseSeconds[phase] > 0, `${phase}: ${summary.phaseSeconds[phase]}`);
  assert.equal(seed.phaseSeconds.ntkd, d.phaseSeconds.ntkd);
  assert.deepEqual(Object.keys(summary.phaseCpuSeconds).sort(), [...phases].sort());
  await assert.rejects(runNtkd({ outDir: dir, config }), /already holds an NTKD result/);
});
