import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { ASM_CELL_MODEL, asmCheck, asmCheckSetup, CELL_ASM_DEFAULTS, neglectedPhases_rad } from "../../src/dko/asm-check.js";
import { asmCheckTable, NMSE_TABLE_FORMAT } from "../../src/viz/psf-figures.js";
import type { DkoConfig } from "../../src/dko/config.js";
import { metasurfaceRole, type DkoDesign } from "../../src/dko/design-files.js";
import { OpticsBank } from "../../src/dko/optics-bank.js";
import { crossTalkFractions, sensorArray, sensorMosaic, subImagePsfs } from "../../src/dko/sensor-array.js";
import { detunedPhase, meanFitNmse, sensitivitySweeps } from "../../src/dko/sensitivity.js";
import type { KernelScorer } from "../../src/dko/kernel-scorer.js";
import type { SetMetrics } from "../../src/eval/evaluate-depth.js";
import type { DkoSummary } from "../../src/dko/summary.js";
import { initComplexOps } from "../../src/engine/complex/select.js";
import { metasurfaceIndex } from "../../src/optics/kernels.js";
import { nmse } from "../../src/eval/nmse.js";
import { asmCheckedMetasurfaces, detailMetasurfaces, inspectionArray, inspectionSweeps, rankedByFit } from "../../src/dko/psf-inspection.js";
import { PRESET_NAMES, PRESETS } from "../../src/pipeline/presets.js";

before(async () => {
  await initComplexOps();
});

/**
 * A bank of 2 x 1 x 3 lens-phase metasurfaces (no noise) in a paraxial geometry: 32 cells of 2 um, 0.8 mm
 * from a 2.74 um-pitch sensor (aperture 64 um, so the spot lambda z / D = 8 um still fits a 3x3 kernel;
 * corner phase k rho^4 / (8 z^3) about 0.01 rad).
 */
function lensDesign(cells = 32, distance_m = 0.8e-3, cellPitch_m = 2e-6): DkoDesign {
  const optics = { cells, cellPitch_m, distance_m, sensorPitch_m: 2.74e-6, channelWavelengths_m: [640e-9, 550e-9, 460e-9], metasurface: "phase" as const, fitWindowFactor: 2 };
  const shape = { kernelSize: 3, inChannels: 3, outChannels: 1 };
  const bank = new OpticsBank(optics, shape);
  const params = bank.initialParams(0, 0);
  const psfs = bank.model("unit-sum").forward(params);
  const config = { optics, optimiser: { learningRate: 0.1, weightDecay: 0, steps: 1, patience: 1, tolerance: 0, seed: 0, initNoise_rad: 0 }, evaluation: { fabricationDraws: 1, finetuneSteps: 0 } } satisfies DkoConfig;
  const kernels = bank.wavelengths_m.map((wavelength_m, index) => ({ index, active: true, wavelength_m, nmse: 0, correlation: 1, energyOutsideKernel: 0 }));
  const summary = { config, kernels } as unknown as DkoSummary;
  const zeros = (n: number) => new Float32Array(n);
  return { dir: "(in memory)", summary, bank, shape, params, psfs, psfTargets: psfs.slice(), scales: zeros(bank.count).fill(1), targetKernels: zeros(27), realisedKernels: zeros(27) };
}

describe("sensor array and cross-talk", () => {
  test("metasurfaceRole inverts metasurfaceIndex", () => {
    const shape = { kernelSize: 7, inChannels: 3, outChannels: 5 };
    for (const sign of [0, 1] as const) for (let out = 0; out < 5; out++) for (let input = 0; input < 3; input++) {
      assert.deepEqual(metasurfaceRole(metasurfaceIndex(sign, out, input, 5, 3), shape), { sign, out, input });
    }
  });

  test("the array holds whole colour triples per row and odd sub-images of the pitch", () => {
    const design = lensDesign();
    const array = sensorArray(design);
    // 6 metasurfaces: sqrt 2.45 rounds up to one triple per row, 2 rows; pitch 64 um = 23.4 pixels -> 23.
    assert.deepEqual([array.rows, array.cols, array.subImagePixels], [2, 3, 23]);
    assert.throws(() => sensorArray(design, 10e-6), /smaller than the metasurface aperture/);
  });

  test("cross-talk is the light missing from the own sub-image", () => {
    // Two 2x2 sub-images holding 0.7 and 1.0 of their metasurface's light.
    const subImages = Float32Array.from([0.4, 0.1, 0.1, 0.1, 0.25, 0.25, 0.25, 0.25]);
    const fractions = crossTalkFractions(subImages, 2, 2);
    assert.ok(Math.abs(fractions[0] - 0.3) < 1e-6 && Math.abs(fractions[1]) < 1e-6, `${fractions}`);
  });

  test("the Fresnel window keeps energy: what misses the own sub-image reaches the sensor elsewhere", () => {
    // What crossTalkFractions relies on. The pixelated phase (2 um cells) also sends light to grating orders
    // m lambda z / dx (256 um at 640 nm) away, four pitches out (optics notes, check 15): the window reaches the third.
    const design = lensDesign(32, 0.8e-3);
    const array = sensorArray(design);
    const { cellPitch_m, distance_m, cells } = design.summary.config.optics;
    const reach_m = (3 * 640e-9 * distance_m) / cellPitch_m + cells * cellPitch_m;
    const wide = { ...array, subImagePixels: 2 * Math.ceil(reach_m / array.sensorPitch_m) + 1 };
    const own = subImagePsfs(design, array, [0, 2]);
    const around = subImagePsfs(design, wide, [0, 2]);
    const P = array.subImagePixels;
    const W = wide.subImagePixels;
    for (let i = 0; i < 2; i++) {
      const total = around.subarray(i * W * W, (i + 1) * W * W).reduce((a, v) => a + v, 0);
      const ownLight = own.subarray(i * P * P, (i + 1) * P * P).reduce((a, v) => a + v, 0);
      assert.ok(total > 0.99 && total < 1.0001, `metasurface ${i}: ${total} of the incident light within the grating orders' reach`);
      assert.ok(ownLight <= total + 1e-6 && ownLight > 0.5, `own sub-image ${ownLight}`);
    }
  });

  test("stage 2's sub-image PSFs are taken for its active metasurfaces at its pitch, the others computed", () => {
    const design = lensDesign();
    const array = sensorArray(design);
    const P2 = array.subImagePixels ** 2;
    const all = [0, 1, 2, 3, 4, 5];
    const computed = subImagePsfs(design, array, all);
    // Stage 2's planes marked (doubled), metasurface 1 inactive (stage 2 left its plane zero).
    const formedPsfs = computed.map((v, i) => (Math.floor(i / P2) === 1 ? 0 : 2 * v));
    const kernels = design.summary.kernels.map((kernel) => ({ ...kernel, active: kernel.index !== 1 }));
    const formed = { ...design, summary: { ...design.summary, kernels }, formedSubImages: { pitch_m: array.pitch_m, subImagePixels: array.subImagePixels, psfs: formedPsfs } };
    const taken = subImagePsfs(formed, array, [1, 4, 0]);
    assert.deepEqual(taken.subarray(0, P2), computed.subarray(P2, 2 * P2), "the inactive one is computed");
    assert.deepEqual(taken.subarray(P2, 2 * P2), formedPsfs.subarray(4 * P2, 5 * P2));
    assert.deepEqual(taken.subarray(2 * P2), formedPsfs.subarray(0, P2));
    const wider = sensorArray(design, 1.5 * array.pitch_m);
    assert.deepEqual(subImagePsfs(formed, wider, [0]), subImagePsfs(design, wider, [0]), "another pitch is computed");
  });

  test("the sensor mosaic puts each sub-image at its place and keeps the light", () => {
    const design = lensDesign();
    const array = sensorArray(design);
    const P = array.subImagePixels;
    // A unit spot at the centre of each sub-image, 0.1 * b at its corner.
    const subImages = new Float32Array(design.bank.count * P * P);
    for (let b = 0; b < design.bank.count; b++) {
      subImages[b * P * P + Math.floor(P / 2) * P + Math.floor(P / 2)] = 1;
      subImages[b * P * P] = 0.1 * b;
    }
    const mosaic = sensorMosaic(subImages, array, 1);
    const total = mosaic.values.reduce((a, v) => a + v, 0);
    assert.ok(Math.abs(total - subImages.reduce((a, v) => a + v, 0)) < 1e-5);
    const pitchPixels = array.pitch_m / array.sensorPitch_m;
    for (let b = 0; b < design.bank.count; b++) {
      const row = Math.round((Math.floor(b / array.cols) + 0.5) * pitchPixels);
      const col = Math.round(((b % array.cols) + 0.5) * pitchPixels);
      assert.equal(mosaic.values[row * mosaic.width + col], 1, `metasurface ${b}'s spot`);
    }
    const binned = sensorMosaic(subImages, array, 4);
    assert.ok(Math.abs(binned.values.reduce((a, v) => a + v, 0) - total) < 1e-5);
    assert.equal(binned.width, Math.ceil(mosaic.width / 4));
  });
});

describe("sensitivity and the ASM check", () => {
  test("detuning holds the wrapped phase as an optical path", () => {
    const design = lensDesign();
    const N2 = design.summary.config.optics.cells ** 2;
    const none = detunedPhase(design, 0);
    const shifted = detunedPhase(design, 20e-9);
    for (const b of [0, 1, 2]) {
      const wavelength_m = design.bank.wavelengths_m[b];
      for (const i of [b * N2, b * N2 + 17, (b + 1) * N2 - 1]) {
        const wrapped = ((design.params[i] % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
        assert.ok(Math.abs(none[i] - wrapped) < 1e-5);
        assert.ok(Math.abs(shifted[i] - (wrapped * wavelength_m) / (wavelength_m + 20e-9)) < 1e-5);
      }
    }
  });

  test("the mean fit NMSE of the design against itself is 0, and counts only non-zero parts", () => {
    const design = lensDesign();
    assert.equal(meanFitNmse(design, design.psfs), 0);
    const M2 = design.bank.windowPixels ** 2;
    const disturbed = design.psfs.slice();
    disturbed.fill(0, 0, M2);
    design.summary.kernels[0].active = false;
    assert.equal(meanFitNmse(design, disturbed), 0);
    design.summary.kernels[0].active = true;
    assert.ok(Math.abs(meanFitNmse(design, disturbed) - 1 / design.bank.count) < 1e-6);
  });

  test("sweeps: zero error at the design point, growing away from it, one draw at zero rms", async () => {
    const design = lensDesign();
    const scored: string[] = [];
    // Stands in for the network: AbsRel = summed |kernel weight|, so each point's kernels reach the scorer.
    const scorer: KernelScorer = {
      testImages: 1,
      score: async (kernels, label) => {
        scored.push(label);
        return { absRel: kernels.reduce((a, v) => a + Math.abs(v), 0) } as SetMetrics;
      },
      dispose: () => {},
    };
    const points = await sensitivitySweeps(design, scorer, { detunings_nm: [0, 10, 40], fabricationRms: [0, 0.5], fabricationSeeds: [1, 2], quantiseLevels: [2, 0] });
    assert.deepEqual(points.map((p) => `${p.sweep} ${p.setting} ${p.seed}`), ["wavelength 0 null", "wavelength 10 null", "wavelength 40 null", "fabrication 0 1", "fabrication 0.5 1", "fabrication 0.5 2", "quantisation 2 null", "quantisation 0 null"]);
    assert.equal(scored.length, points.length);
    const fit = (sweep: string, setting: number) => points.find((p) => p.sweep === sweep && p.setting === setting)!.fitNmse;
    for (const [sweep, setting] of [["wavelength", 0], ["fabrication", 0], ["quantisation", 0]] as const) assert.ok(fit(sweep, setting) < 1e-10, `${sweep} ${setting}: ${fit(sweep, setting)}`);
    assert.ok(fit("wavelength", 10) > 0 && fit("wavelength", 40) > fit("wavelength", 10), `detuning: ${fit("wavelength", 10)}, ${fit("wavelength", 40)}`);
    // A binary lens still focuses (40 % of the light, the rest mostly spread wide), so the unit-sum window shape changes little.
    assert.ok(fit("quantisation", 2) > 1e-5, `2-level phase: ${fit("quantisation", 2)}`);
    const draws = points.filter((p) => p.sweep === "fabrication" && p.setting === 0.5);
    assert.ok(draws[0].fitNmse > 0 && draws[0].fitNmse !== draws[1].fitNmse, "seeded draws differ");
  });

  test("the ASM check puts stage 2's window beside the angular spectrum of the same cells, where the paraxial window fails", () => {
    // 257 cells of 1.5 um at 1.5 mm (validate-optics' small agreement geometry): the paraxial kernel drops
    // 0.7 rad at the aperture edge (460 nm), stage 2's Rayleigh-Sommerfeld window with distortion tiles 0.01.
    const design = lensDesign(257, 1.5e-3, 1.5e-6);
    // A reference grid wide enough that the reference resolves NMSE 1e-6 (the next test shows why it matters).
    const setup = asmCheckSetup(design, { padding: 3, frequencyMargin: 1 });
    assert.equal(setup.cellModel, ASM_CELL_MODEL);
    assert.equal(setup.windowKernel, "rayleigh-sommerfeld");
    assert.ok(setup.referenceNodesPerPixel >= setup.windowNodesPerPixel);
    const checks = asmCheck(design, [2, 0], setup);
    assert.deepEqual(checks.map((c) => c.index), [2, 0], "results in the order asked");
    const M2 = design.bank.windowPixels ** 2;
    for (const c of checks) {
      const label = `metasurface ${c.index} (${c.wavelength_m * 1e9} nm)`;
      // The window model checked is the one stage 2 stored (psfs.npy).
      assert.ok(nmse(c.windowModel, design.psfs.subarray(c.index * M2, (c.index + 1) * M2)) < 1e-10, label);
      assert.ok(Math.abs(c.asm.reduce((a, v) => a + v, 0) - 1) < 1e-4, `${label}: unit-sum reference`);
      assert.ok(c.nmse < 1e-5, `${label}: window model vs ASM ${c.nmse}`);
      assert.ok(Math.abs(c.energyRatio - 1) < 0.01, `${label}: energy ratio ${c.energyRatio}`);
      assert.ok(c.paraxialNmse > 100 * c.nmse && c.paraxialNmse > 1e-3, `${label}: paraxial ${c.paraxialNmse} vs ${c.nmse}`);
      assert.ok(c.referenceChange < c.nmse / 3, `${label}: the reference moved by ${c.referenceChange} when refined`);
    }
    // The table names the models compared and shows each NMSE to 3 significant digits.
    const table = asmCheckTable(design, checks, setup, (wavelength_m) => neglectedPhases_rad(design, wavelength_m));
    const row = table.objects()[0] as Record<string, unknown>;
    assert.equal(row.cell_model, ASM_CELL_MODEL);
    assert.match(String(row.window_model), /rayleigh-sommerfeld window \(4 distortion tiles, \d nodes\/pixel\)/);
    const html = table.toHTML(NMSE_TABLE_FORMAT);
    for (const c of checks) assert.ok(html.includes(c.nmse.toExponential(2)) && html.includes(c.paraxialNmse.toExponential(2)), `table cell for ${c.nmse}`);
  });

  test("the reference's own change flags a padded grid too small for the design, and a wider one removes it", () => {
    // 32 cells at 0.8 mm (Fresnel number 2): light the default grid wraps around reaches the window.
    const design = lensDesign();
    const coarse = asmCheck(design, [0], asmCheckSetup(design, CELL_ASM_DEFAULTS))[0];
    const wide = asmCheck(design, [0], asmCheckSetup(design, { padding: 4, frequencyMargin: 3 }))[0];
    assert.ok(coarse.nmse > 1e-4 && coarse.referenceChange > coarse.nmse / 10, `default grid: NMSE ${coarse.nmse}, reference change ${coarse.referenceChange}`);
    assert.ok(wide.nmse < 1e-5 && wide.referenceChange < 1e-6, `wider grid: NMSE ${wide.nmse}, reference change ${wide.referenceChange}`);
    assert.throws(() => asmCheckSetup(design, { padding: 0.5, frequencyMargin: 0.25 }), /padding must be >= 1/);
  });
});

describe("what notebook 04 inspects, from the preset", () => {
  /** The lens design with fit NMSEs 0.6, 0.5, ..., 0.1 (metasurface 5 fits best) and metasurface 4 switched off. */
  function rankedDesign(): DkoDesign {
    const design = lensDesign();
    design.summary.kernels.forEach((kernel) => (kernel.nmse = 0.6 - 0.1 * kernel.index));
    design.summary.kernels[4].active = false;
    return design;
  }

  test("detail metasurfaces are the fit ranking's quantiles, without repeats; ASM ones the best per wavelength", () => {
    const design = rankedDesign();
    assert.deepEqual(rankedByFit(design), [5, 3, 2, 1, 0]);
    assert.deepEqual(detailMetasurfaces(design, [0, 0.5, 1]), [5, 2, 0]);
    assert.deepEqual(detailMetasurfaces(design, [1, 0.9, 0]), [0, 5]);
    assert.throws(() => detailMetasurfaces(design, [1.5]), /not a quantile/);
    // Wavelengths by index: 640, 550, 460, 640, 550 (off), 460 nm.
    assert.deepEqual(asmCheckedMetasurfaces(design, 1), [5, 3, 1]);
    assert.deepEqual(asmCheckedMetasurfaces(design, 2), [5, 2, 3, 0, 1]);
    assert.throws(() => asmCheckedMetasurfaces(design, 0), /integer >= 1/);
  });

  test("the cross-talk array's pitch is the aperture plus the preset's spacing; sweeps in the bank's units", () => {
    const design = lensDesign();
    const settings = PRESETS.default.psfInspection;
    const tiled = inspectionArray(design, settings);
    const spaced = inspectionArray(design, { ...settings, arraySpacing_m: 20e-6 });
    assert.ok(Math.abs(tiled.pitch_m - 64e-6) < 1e-12 && Math.abs(spaced.pitch_m - 84e-6) < 1e-12);
    assert.equal(spaced.subImagePixels, 2 * Math.floor(84e-6 / (2 * 2.74e-6)) + 1);
    assert.throws(() => inspectionArray(design, { ...settings, arraySpacing_m: -1e-6 }), />= 0/);
    const sweeps = inspectionSweeps(design, settings);
    assert.equal(sweeps.fabricationUnit, "rad");
    assert.deepEqual(sweeps.fabricationRms, settings.sensitivity.fabricationPhaseRms_rad);
  });

  test("every preset's sweeps hold their design point, and tiny's are the smallest", () => {
    const points = (name: (typeof PRESET_NAMES)[number]) => {
      const { sensitivity } = PRESETS[name].psfInspection;
      const draws = sensitivity.fabricationPhaseRms_rad.reduce((a, rms) => a + (rms === 0 ? 1 : sensitivity.fabricationSeeds.length), 0);
      return (sensitivity.detunings_nm.length + draws + sensitivity.quantiseLevels.length) * sensitivity.testImages;
    };
    for (const name of PRESET_NAMES) {
      const { sensitivity, detailQuantiles, asmPerWavelength, asmReference, arraySpacing_m } = PRESETS[name].psfInspection;
      assert.ok(sensitivity.detunings_nm.includes(0) && sensitivity.quantiseLevels.includes(0), `${name}: design wavelength and continuous phase`);
      assert.ok(sensitivity.fabricationPhaseRms_rad.includes(0) && sensitivity.fabricationRadiusRms_nm.includes(0), `${name}: the fabrication sweeps start at rms 0`);
      assert.ok(sensitivity.fabricationSeeds.length >= 2, `${name}: a spread needs two draws`);
      assert.ok(detailQuantiles.every((q) => q >= 0 && q <= 1) && asmPerWavelength >= 1 && asmReference.padding >= 1 && arraySpacing_m >= 0, name);
    }
    // Scored scene-evaluations per notebook run: tiny stays CI-sized.
    assert.ok(points("tiny") * 4 <= points("default"), `tiny ${points("tiny")} vs default ${points("default")}`);
  });
});
