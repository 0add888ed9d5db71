import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { arrayBandPsfs } from "../../src/dko/array-psfs.js";
import { ghostOrders } from "../../src/dko/ghost-orders.js";
import { OpticsBank } from "../../src/dko/optics-bank.js";
import { ringsForGhosts } from "../../src/dko/sensor-evaluation.js";
import { initComplexOps } from "../../src/engine/complex/select.js";
import { PRESETS, type PresetName } from "../../src/pipeline/presets.js";

before(async () => {
  await initComplexOps();
});

const reportOf = (preset: PresetName) => {
  const { optics } = PRESETS[preset].dko;
  const { height, width } = PRESETS[preset].data;
  return ghostOrders({ ...optics, wavelengths_m: optics.channelWavelengths_m, imagePixels: { height, width } });
};

describe("ghost orders of the cells", () => {
  for (const preset of ["tiny", "default", "paper"] as const) {
    test(`${preset}: the first orders leave at sin(theta) = lambda / dx and land z tan(theta) away`, () => {
      const { optics } = PRESETS[preset].dko;
      const report = reportOf(preset);
      const aperture_m = optics.cells * optics.cellPitch_m;
      assert.equal(report.pitch_m, aperture_m);
      for (const wavelength_m of optics.channelWavelengths_m) {
        const first = report.orders.find((o) => o.wavelength_m === wavelength_m && o.order[1] === 0)!;
        const sin = wavelength_m / optics.cellPitch_m;
        assert.ok(Math.abs(Math.sin(first.angle_rad) - sin) < 1e-12);
        const distance_m = optics.distance_m * Math.tan(Math.asin(sin));
        assert.ok(Math.abs(first.position_m[0] - distance_m) < 1e-12 && first.position_m[1] === 0);
        // Landing sub-image: the nearest centre, whole pitches away; the offset is measured from it.
        const n = Math.round(distance_m / aperture_m);
        assert.deepEqual(first.subImage, [n, 0]);
        assert.ok(Math.abs(first.offsetInSubImage_px[0] - (distance_m - n * aperture_m) / optics.sensorPitch_m) < 1e-9);
        assert.equal(first.landsOn, n === 0 ? "own sub-image" : "neighbour sub-image");
        // The window model's paraxial placement, z lambda / dx.
        assert.ok(Math.abs(first.modelPlacementError_px[0] - (distance_m - optics.distance_m * sin) / optics.sensorPitch_m) < 1e-9);
        // The diagonal order leaves at direction cosines (lambda / dx, lambda / dx).
        const diagonal = report.orders.find((o) => o.wavelength_m === wavelength_m && o.order[1] === 1)!;
        const gamma = Math.sqrt(1 - 2 * sin * sin);
        assert.ok(Math.abs(diagonal.position_m[0] - (optics.distance_m * sin) / gamma) < 1e-12 && diagonal.position_m[0] === diagonal.position_m[1]);
        assert.ok(first.lensFirstOrderRatio > 0 && diagonal.lensFirstOrderRatio < first.lensFirstOrderRatio);
      }
    });
  }

  test("what each preset accepts: the paper's ghosts land in the neighbour's image and it breaks the sampling rule", () => {
    const tiny = reportOf("tiny");
    const byDefault = reportOf("default");
    const paper = reportOf("paper");
    // z >= D dx / lambda_min: 0.56 mm (tiny, 0.6 used), 2.51 mm (default, 3 used), 13.9 mm (paper, 10 used).
    assert.deepEqual([tiny, byDefault, paper].map((r) => +(r.samplingRule.requiredDistance_m * 1e3).toFixed(2)), [0.56, 2.51, 13.93]);
    assert.deepEqual([tiny, byDefault, paper].map((r) => r.samplingRule.satisfied), [true, true, false]);
    // Paper, 640 nm: 2.65 mm = 1.03 pitches, the next sub-image, 31 px from its centre, inside its 128-px image.
    const red = paper.orders.find((o) => o.wavelength_m === 640e-9 && o.order[1] === 0)!;
    assert.deepEqual(red.subImage, [1, 0]);
    assert.ok(Math.abs(red.pitches[0] - 1.033) < 1e-3 && Math.abs(red.offsetInSubImage_px[0] - 31) < 1, `${red.pitches[0]}, ${red.offsetInSubImage_px[0]}`);
    assert.equal(red.reachesImage, true);
    // Past the sampling rule a lens's outer cells favour the ghost: far more of it than at the default geometry.
    const defaultRed = byDefault.orders.find((o) => o.wavelength_m === 640e-9 && o.order[1] === 0)!;
    assert.ok(red.lensFirstOrderRatio > 0.05, `${red.lensFirstOrderRatio}`);
    assert.match(paper.warning ?? "", /640 nm.*inside the image the network reads.*breaks the lens sampling rule/);
    // Default, red: two pitches over, 45 px from that centre, within its 64-px image; blue lands 72 px out, beyond it.
    assert.deepEqual(defaultRed.subImage, [2, 0]);
    assert.ok(Math.abs(defaultRed.offsetInSubImage_px[0] + 45) < 1 && defaultRed.reachesImage, `${defaultRed.offsetInSubImage_px[0]}`);
    const defaultBlue = byDefault.orders.find((o) => o.wavelength_m === 460e-9 && o.order[1] === 0)!;
    assert.equal(defaultBlue.reachesImage, false);
    // The neighbour rings the sensor formation forms reach every first order.
    assert.deepEqual([tiny, byDefault, paper].map(ringsForGhosts), [2, 2, 1]);
  });

  test("a wider spacing moves the ghosts off the neighbours' images", () => {
    const { optics } = PRESETS.paper.dko;
    const spaced = ghostOrders({ ...optics, wavelengths_m: [640e-9], pitch_m: 6e-3, imagePixels: { height: 128, width: 128 } });
    const red = spaced.orders[0];
    // 2.65 mm is now within half of the 6 mm pitch: on the metasurface's own sub-image, far outside its image.
    assert.equal(red.landsOn, "own sub-image");
    assert.equal(red.reachesImage, false);
  });

  test("stage 2's window model puts a tilted beam at z alpha, the angular spectrum at z tan(theta)", () => {
    // A linear phase of direction cosine 0.35 at 550 nm on 64 cells of 0.5 um, 0.5 mm from the sensor: the beam lands
    // 186.8 um off axis; the paraxial place is 175 um, 4.3 pixels short.
    const alpha = 0.35;
    const wavelength_m = 550e-9;
    const optics = { cells: 64, cellPitch_m: 0.5e-6, distance_m: 0.5e-3, sensorPitch_m: 2.74e-6, channelWavelengths_m: [wavelength_m, wavelength_m, wavelength_m], metasurface: "phase" as const, fitWindowFactor: 2 };
    const bank = new OpticsBank(optics, { kernelSize: 5, inChannels: 3, outChannels: 1 });
    const N = optics.cells;
    const params = new Float32Array(bank.count * N * N);
    for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) params[r * N + c] = (2 * Math.PI * alpha * (c - N / 2) * optics.cellPitch_m) / wavelength_m;
    const pitch_m = 181e-6;
    const bands = { rings: 1, bandPixels: 21, pitch_m, sensorPitch_m: optics.sensorPitch_m };
    const peakColumn = (propagation: "window" | "cell-asm") => {
      const psf = arrayBandPsfs(bank, params, [0], bands, { propagation });
      const L = 63;
      // Column profile of block (0, +1), then the parabola through the peak and its neighbours.
      const profile = Array.from({ length: 21 }, (_, x) => {
        let total = 0;
        for (let y = 0; y < 21; y++) total += psf[(21 + y) * L + 42 + x];
        return total;
      });
      const i = profile.indexOf(Math.max(...profile));
      const [a, b, c] = [profile[i - 1], profile[i], profile[i + 1]];
      return i - 10 + (a - c) / (2 * (a - 2 * b + c));
    };
    const gamma = Math.sqrt(1 - alpha * alpha);
    const exact_px = ((optics.distance_m * alpha) / gamma - pitch_m) / optics.sensorPitch_m;
    const paraxial_px = (optics.distance_m * alpha - pitch_m) / optics.sensorPitch_m;
    const window = peakColumn("window");
    const asm = peakColumn("cell-asm");
    assert.ok(Math.abs(asm - exact_px) < 0.5, `angular spectrum peak ${asm} px, z tan(theta) at ${exact_px} px`);
    assert.ok(Math.abs(window - paraxial_px) < 0.5, `window model peak ${window} px, z alpha at ${paraxial_px} px`);
  });
});
