import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { arrayBandPsfs, bandPixelCentres_m, type ArrayBands } from "../../src/dko/array-psfs.js";
import { OpticsBank } from "../../src/dko/optics-bank.js";
import { opticalFirstLayer } from "../../src/dko/optical-layer.js";
import { sensorArrayDesign } from "../../src/dko/sensor-evaluation.js";
import { padKernels, sensorFormation } from "../../src/dko/sensor-formation.js";
import { extractKernelTargets } from "../../src/dko/targets.js";
import { openDepthDataset } from "../../src/data/depth-dataset.js";
import { generateSyntheticDataset } from "../../src/data/synthetic/generate.js";
import { initEngine } from "../../src/engine/backend.js";
import { initComplexOps } from "../../src/engine/complex/select.js";
import { defaultProtocol } from "../../src/eval/depth-protocol.js";
import { evaluateDepth } from "../../src/eval/evaluate-depth.js";
import { buildDepthNet } from "../../src/models/depth-net.js";
import { PlaneStack } from "../../src/optics/plane-stack.js";
import { psfsToKernels } from "../../src/optics/kernels.js";
import { presetNetConfig } from "../../src/pipeline/preset-configs.js";
import { seededUniform as seeded } from "../seeded.js";

before(async () => {
  await initEngine();
  await initComplexOps();
});


describe("sensor formation: effective kernels", () => {
  test("a single bright pixel per metasurface and one neighbour, by hand", () => {
    // One output, one input channel: metasurface 0 (positive part) at column 0, metasurface 1 (negative part) at
    // column 1 of a 1 x 2 array. Bands of 5 pixels, one ring: the band grid is 15 x 15, block (i, j) holds the
    // PSF i - 1, j - 1 pitches from the emitter's axis, pixel (2, 2) of a block being its centre.
    const shape = { kernelSize: 1, inChannels: 1, outChannels: 1 };
    const bands: ArrayBands = { rings: 1, bandPixels: 5, pitch_m: 10e-6, sensorPitch_m: 1e-6 };
    const L = 15;
    const psfs = new Float32Array(2 * L * L);
    const put = (b: number, block: [number, number], pixel: [number, number], value: number) => {
      psfs[b * L * L + ((block[0] + 1) * 5 + 2 + pixel[0]) * L + (block[1] + 1) * 5 + 2 + pixel[1]] = value;
    };
    put(0, [0, 0], [0, 0], 0.5); // metasurface 0: half its light on its axis,
    put(0, [0, 1], [0, -1], 0.2); // a fifth one pitch to the right, one pixel short (on metasurface 1's sub-image),
    put(0, [1, 0], [0, 0], 0.3); // and light one row down, where no metasurface sits.
    put(1, [0, 0], [1, 0], 1); // metasurface 1: all on its own sub-image, one pixel below its axis,
    put(1, [0, -1], [0, 2], 0.1); // and a tenth one pitch to the left, two pixels over (on metasurface 0's sub-image).
    const gains = Float32Array.from([2, 3]);
    const { kernels, received } = sensorFormation({ shape, cols: 2, bands, bandPsfs: psfs, gains, emitting: [true, true] });
    // Convolution kernel K(t) = 2 (0.5 d(0, 0) + 0.1 d(0, 2)) - 3 (1 d(1, 0) + 0.2 d(0, -1)); correlation W(t) = K(-t).
    const expected = new Map([["0,0", 1], ["0,-2", 0.2], ["-1,0", -3], ["0,1", -0.6]]);
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 5; j++) {
        const key = `${i - 2},${j - 2}`;
        assert.ok(Math.abs(kernels[i * 5 + j] - (expected.get(key) ?? 0)) < 1e-6, `W(${key}) = ${kernels[i * 5 + j]}`);
      }
    }
    const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;
    // Sub-image 0: 0.5 in its kernel (the 1 x 1 centre), 0.1 from its neighbour; sub-image 1: all its own light is halo.
    assert.ok(close(received[0].kernel, 0.5) && close(received[0].halo, 0) && close(received[0].neighbours, 0.1), JSON.stringify(received[0]));
    assert.ok(close(received[1].kernel, 0) && close(received[1].halo, 1) && close(received[1].neighbours, 0.2), JSON.stringify(received[1]));
    // A blocked neighbour sends nothing; a sub-image that is not read gets no kernel.
    const blocked = sensorFormation({ shape, cols: 2, bands, bandPsfs: psfs, gains: Float32Array.from([2, 0]), emitting: [true, false] });
    assert.ok(close(blocked.kernels[12], 1) && blocked.kernels.every((v, i) => i === 12 || v === 0), `${Array.from(blocked.kernels)}`);
  });

  test("neighbours of another colour add to that colour's kernel", () => {
    // A bank of one kernel of 3 channels: metasurfaces 0, 1, 2 (R, G, B positive parts) in one row; only R's sub-image is read.
    const shape = { kernelSize: 1, inChannels: 3, outChannels: 1 };
    const bands: ArrayBands = { rings: 1, bandPixels: 3, pitch_m: 10e-6, sensorPitch_m: 1e-6 };
    const L = 9;
    const psfs = new Float32Array(6 * L * L);
    // G (metasurface 1) sends 0.25 onto the centre of the sub-image one pitch to its left (R's).
    psfs[1 * L * L + (1 * 3 + 1) * L + 0 * 3 + 1] = 0.25;
    psfs[0 * L * L + (1 * 3 + 1) * L + 1 * 3 + 1] = 1;
    const gains = Float32Array.from([4, 0, 0, 0, 0, 0]);
    const { kernels } = sensorFormation({ shape, cols: 3, bands, bandPsfs: psfs, gains, emitting: [true, true, true, false, false, false] });
    // HWIO [3, 3, 3, 1]: centre tap, channel R = 4, channel G = 4 x 0.25.
    assert.deepEqual(Array.from(kernels.subarray(4 * 3, 5 * 3)), [4, 1, 0]);
  });

  test("with no cross-talk and PSFs inside the kernel it is the kernel-only network, score for score", async () => {
    const height = 16;
    const width = 16;
    const net = buildDepthNet(presetNetConfig("tiny", { height, width, depthRange_m: [0.5, 10] }, 3));
    const targets = extractKernelTargets(net);
    const { shape, scales } = targets;
    const k = shape.kernelSize;
    const B = scales.length;
    const M = 2 * k;
    // Realised PSFs: arbitrary non-negative light confined to the k x k kernel window, of arbitrary efficiency.
    const kernelLight = seeded(B * k * k, 11).map((v, i) => v * (0.2 + (Math.floor(i / (k * k)) % 5) / 10));
    const fitWindows = new PlaneStack(kernelLight, { count: B, size: k }).padCentred(M).data;
    const unitSum = fitWindows.slice();
    for (let b = 0; b < B; b++) {
      const window = unitSum.subarray(b * M * M, (b + 1) * M * M);
      const total = window.reduce((a, v) => a + v, 0);
      window.forEach((v, i) => (window[i] = v / total));
    }
    const kernelOnly = psfsToKernels(new PlaneStack(unitSum, { count: B, size: M }), scales, shape);
    const S = 2 * Math.max(height, width) - 1;
    const bands: ArrayBands = { rings: 1, bandPixels: S, pitch_m: 1e-3, sensorPitch_m: 2.74e-6 };
    const L = 3 * S;
    const bandPsfs = new Float32Array(B * L * L);
    const centre = S + (S - 1) / 2;
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) bandPsfs[b * L * L + (centre - 1 - (k - 3) / 2 + i) * L + centre - 1 - (k - 3) / 2 + j] = kernelLight[(b * k + i) * k + j];
    }
    const gains = Float32Array.from(scales, (s, b) => s / fitWindows.subarray(b * M * M, (b + 1) * M * M).reduce((a, v) => a + v, 0));
    const { kernels } = sensorFormation({ shape, cols: 6, bands, bandPsfs, gains, emitting: targets.active });
    const padded = padKernels(kernelOnly, shape, S);
    let worst = 0;
    for (let i = 0; i < padded.length; i++) worst = Math.max(worst, Math.abs(kernels[i] - padded[i]));
    assert.ok(worst < 1e-6, `max |W_eff - pad(W_kernel-only)| = ${worst}`);

    // The network scores the same with the S x S effective kernels as with the k x k ones.
    const root = mkdtempSync(join(tmpdir(), "optocnn-sensor-"));
    try {
      await generateSyntheticDataset({ dir: root, height, width, counts: { train: 2, val: 2, test: 6 }, seed: 3 });
      const dataset = await openDepthDataset(root);
      const score = async (weights: Float32Array, kernelShape: typeof shape) => {
        const { layer, kernel } = opticalFirstLayer(weights, kernelShape, 2, "test");
        try {
          return await evaluateDepth((rgb) => net.predict(rgb, layer), dataset.test, { protocol: defaultProtocol(dataset.manifest.source) });
        } finally {
          kernel.dispose();
        }
      };
      const narrow = await score(kernelOnly, shape);
      const wide = await score(kernels, { ...shape, kernelSize: S });
      for (const key of ["absRel", "rmse", "delta1"] as const) assert.ok(Math.abs(narrow[key] - wide[key]) <= 1e-6 * Math.abs(narrow[key]), `${key}: ${narrow[key]} vs ${wide[key]}`);
      // The check can fail: light one pixel outside the kernel changes the score.
      const moved = bandPsfs.slice();
      for (let b = 0; b < B; b++) moved[b * L * L + (centre + (k + 1) / 2) * L + centre] = 0.5 * kernelLight[b * k * k];
      const shifted = sensorFormation({ shape, cols: 6, bands, bandPsfs: moved, gains, emitting: targets.active });
      const other = await score(shifted.kernels, { ...shape, kernelSize: S });
      assert.notEqual(other.absRel, narrow.absRel);
    } finally {
      rmSync(root, { recursive: true, force: true });
      net.dispose();
    }
  });
});

/**
 * A lens bank (1 kernel of 3 x 3, R G B) in a near-paraxial geometry: 32 cells of 2 um, 0.8 mm from a 2.74 um
 * sensor (aperture 64 um, so the sub-images are 23 pixels wide).
 */
function lensBank(): { bank: OpticsBank; params: Float32Array } {
  const optics = { cells: 32, cellPitch_m: 2e-6, distance_m: 0.8e-3, sensorPitch_m: 2.74e-6, channelWavelengths_m: [640e-9, 550e-9, 460e-9], metasurface: "phase" as const, fitWindowFactor: 2 };
  const bank = new OpticsBank(optics, { kernelSize: 3, inChannels: 3, outChannels: 1 });
  return { bank, params: bank.initialParams(0.3, 4) };
}

describe("sensor formation: PSFs over the array", () => {
  test("a band block is the PSF at its neighbour's offset: the same light as a contiguous window there", () => {
    const { bank, params } = lensBank();
    // A pitch of exactly 24 pixels, so the neighbour's block sits on whole pixels of the wide window.
    const bands: ArrayBands = { rings: 1, bandPixels: 9, pitch_m: 24 * 2.74e-6, sensorPitch_m: 2.74e-6 };
    assert.deepEqual(Array.from(bandPixelCentres_m(bands).subarray(0, 2), (x) => +(x / 2.74e-6).toFixed(6)), [-28, -27]);
    const band = arrayBandPsfs(bank, params, [0, 4], bands);
    const W = 2 * (24 + 4) + 1;
    const wide = arrayBandPsfs(bank, params, [0, 4], { rings: 0, bandPixels: W, pitch_m: bands.pitch_m, sensorPitch_m: 2.74e-6 });
    const L = 27;
    for (let i = 0; i < 2; i++) {
      for (const [dr, dc] of [[0, 0], [0, 1], [-1, 1], [1, 0]]) {
        let error = 0;
        let norm = 0;
        for (let y = 0; y < 9; y++) {
          for (let x = 0; x < 9; x++) {
            const a = band[i * L * L + ((dr + 1) * 9 + y) * L + (dc + 1) * 9 + x];
            const b = wide[i * W * W + (28 + 24 * dr - 4 + y) * W + 28 + 24 * dc - 4 + x];
            error += (a - b) ** 2;
            norm += b * b;
          }
        }
        // The two differ only in the sub-cells the window matrices integrate with (their farthest sample differs).
        assert.ok(error / norm < 1e-6, `metasurface ${i}, block (${dr}, ${dc}): NMSE ${error / norm}`);
      }
    }
  });

  test("where the paraxial model holds, the window model and the cell angular spectrum agree on the band grid", () => {
    const { bank, params } = lensBank();
    const bands: ArrayBands = { rings: 1, bandPixels: 11, pitch_m: 64e-6, sensorPitch_m: 2.74e-6 };
    const window = arrayBandPsfs(bank, params, [0, 2], bands);
    const asm = arrayBandPsfs(bank, params, [0, 2], bands, { propagation: "cell-asm" });
    const L = 33;
    for (let i = 0; i < 2; i++) {
      const a = window.subarray(i * L * L, (i + 1) * L * L);
      const b = asm.subarray(i * L * L, (i + 1) * L * L);
      let error = 0;
      let norm = 0;
      for (let p = 0; p < a.length; p++) {
        error += (a[p] - b[p]) ** 2;
        norm += b[p] ** 2;
      }
      const energy = [a, b].map((x) => x.reduce((s, v) => s + v, 0));
      assert.ok(error / norm < 1e-3, `metasurface ${i}: NMSE ${error / norm}`);
      assert.ok(Math.abs(energy[0] - energy[1]) < 0.01 * energy[1], `energies ${energy}`);
    }
  });

  test("energy bookkeeping: kernel, halo and neighbours add up to the kernels, and no light is counted twice", () => {
    const { bank, params } = lensBank();
    const B = bank.count;
    const active = [true, true, true, true, false, true];
    const scales = Float32Array.from([0.5, 1, 2, 1, 0, 0.25]);
    const fitWindowPsfs = bank.forward("incident-energy", params);
    const kernelOnly = psfsToKernels(bank.windows(bank.forward("unit-sum", params)), scales, bank.shape);
    const design = sensorArrayDesign({
      bank,
      params,
      scales,
      active,
      fitWindowPsfs,
      targetKernels: kernelOnly,
      kernelOnlyKernels: kernelOnly,
      imagePixels: { height: 8, width: 8 },
      settings: { rings: 1 },
    });
    const { report } = design;
    assert.equal(report.kernelPixels, 15);
    assert.deepEqual([report.layout.rows, report.layout.cols, report.subImagePixels], [2, 3, 23]);
    const { emittedKernel, emittedHalo, beyondSubImage } = report.perMetasurface;
    for (let b = 0; b < B; b++) {
      const fractions = [emittedKernel[b], emittedHalo[b], beyondSubImage[b]];
      if (!active[b]) {
        assert.deepEqual(fractions, [0, 0, 0]);
        continue;
      }
      // Of the incident light: kernel + halo + beyond = 1, each a fraction; the lens puts most of it on its own sub-image.
      assert.ok(Math.abs(fractions.reduce((a, v) => a + v, 0) - 1) < 1e-6 && fractions.every((f) => f >= 0 && f <= 1), `${b}: ${fractions}`);
      assert.ok(fractions[0] + fractions[1] > 0.5, `${b}: ${fractions}`);
    }
    assert.ok(Math.abs(report.received.kernel + report.received.halo + report.received.neighbours - 1) < 1e-6);

    // Each sub-image alone (gain 1, positive part): its kernel's sum is exactly the light it gathers, kernel + halo + neighbours.
    const bands: ArrayBands = { rings: 1, bandPixels: 15, pitch_m: report.pitch_m, sensorPitch_m: 2.74e-6 };
    const L = 45;
    const bandPsfs = new Float32Array(B * L * L);
    const activeIndices = active.flatMap((on, b) => (on ? [b] : []));
    const computed = arrayBandPsfs(bank, params, activeIndices, bands);
    activeIndices.forEach((b, i) => bandPsfs.set(computed.subarray(i * L * L, (i + 1) * L * L), b * L * L));
    for (const b of [0, 1, 2]) {
      const gains = new Float32Array(B);
      gains[b] = 1;
      const alone = sensorFormation({ shape: bank.shape, cols: 3, bands, bandPsfs, gains, emitting: active });
      const light = alone.received[b];
      const mass = alone.kernels.reduce((a, v) => a + v, 0);
      assert.ok(Math.abs(mass - (light.kernel + light.halo + light.neighbours)) < 1e-5 * mass, `${b}: ${mass} vs ${JSON.stringify(light)}`);
      // Its kernel part is its own light in the kernel window, as emitted: the same model on another sample set, whose
      // farther samples give the window matrices finer sub-cells (4e-4 apart here).
      assert.ok(Math.abs(light.kernel - emittedKernel[b]) < 2e-3 * emittedKernel[b], `${b}: ${light.kernel} vs ${emittedKernel[b]}`);
    }
    // Only each metasurface's own block (no neighbours): the centre k x k of the effective kernels is the kernel-only
    // model's realised kernels (same flip, signs, gains and orientation; the band model's finer sub-cells aside).
    const ownOnly = bandPsfs.slice();
    for (let b = 0; b < B; b++) {
      for (let y = 0; y < L; y++) for (let x = 0; x < L; x++) if (Math.floor(y / 15) !== 1 || Math.floor(x / 15) !== 1) ownOnly[b * L * L + y * L + x] = 0;
    }
    const designGains = Float32Array.from(scales, (s, b) => (active[b] ? s / fitWindowPsfs.subarray(b * 36, (b + 1) * 36).reduce((a, v) => a + v, 0) : 0));
    const own = sensorFormation({ shape: bank.shape, cols: 3, bands, bandPsfs: ownOnly, gains: designGains, emitting: active });
    const centre = padKernels(kernelOnly, bank.shape, 15);
    let error = 0;
    let norm = 0;
    let halo = 0;
    for (let i = 0; i < centre.length; i++) {
      const tap = Math.floor(i / 3);
      const inKernel = Math.abs(Math.floor(tap / 15) - 7) <= 1 && Math.abs((tap % 15) - 7) <= 1;
      if (inKernel) {
        error += (own.kernels[i] - centre[i]) ** 2;
        norm += centre[i] ** 2;
      } else halo += Math.abs(own.kernels[i]);
    }
    assert.ok(error / norm < 1e-5, `centre of the own-light kernels against the kernel-only kernels: NMSE ${error / norm}`);
    assert.ok(halo > 0, "the halo reaches outside the kernel");
    // One emitter at a time: the light it sends into the others' sub-images (15-pixel blocks 23 pixels apart, outside its
    // own 23-pixel sub-image) is part of what leaves its sub-image, never more.
    for (const from of activeIndices) {
      const only = active.map((_, b) => b === from);
      const all = sensorFormation({ shape: bank.shape, cols: 3, bands, bandPsfs, gains: new Float32Array(B).fill(1), emitting: only });
      const intoOthers = all.received.reduce((a, light, b) => a + (b === from ? 0 : light.neighbours), 0);
      assert.ok(intoOthers > 0 && intoOthers <= beyondSubImage[from] + 1e-6, `metasurface ${from}: ${intoOthers} into the others, ${beyondSubImage[from]} leaves its sub-image`);
    }
    assert.ok(report.reach.farthestSample_m > 64e-6 && report.reach.warning === null, JSON.stringify(report.reach));
    assert.ok(report.changeFromKernelOnly > 0, "halo and neighbours change the kernels");
    assert.equal(design.kernels.length, 15 * 15 * 3);
  });
});
