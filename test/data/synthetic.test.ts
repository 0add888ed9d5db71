import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { openDepthDataset } from "../../src/data/depth-dataset.js";
import { generateSyntheticDataset, syntheticSample } from "../../src/data/synthetic/generate.js";
import { renderScene } from "../../src/data/synthetic/render.js";
import { SYNTHETIC_HFOV_RAD, SYNTHETIC_MAX_DEPTH_M, SYNTHETIC_MIN_DEPTH_M, type Material, type Scene } from "../../src/data/synthetic/scene.js";

const root = mkdtempSync(join(tmpdir(), "optocnn-synth-"));
after(() => rmSync(root, { recursive: true, force: true }));

const grey: Material = { pattern: "plain", scale_m: 1, angle_rad: 0, colorA: [0.5, 0.5, 0.5], colorB: [0.5, 0.5, 0.5] };

function emptyOutdoorScene(height_m: number, pitch_rad: number): Scene {
  return {
    camera: { height_m, pitch_rad, hfov_rad: SYNTHETIC_HFOV_RAD },
    ground: grey,
    room: null,
    sky: { horizon: [0.9, 0.9, 0.9], zenith: [0.3, 0.5, 0.9] },
    light: { direction: [0, 1, 0], intensity: 0.8, ambient: 0.2 },
    fogDistance_m: null,
    objects: [],
    noiseSeed: 1,
    sensorNoise: 0,
  };
}

test("ground-plane depth at each pixel row equals camera height / (tan(alpha) cos(pitch) + sin(pitch))", () => {
  const size = 32;
  const height_m = 1.5;
  const pitch_rad = 0.1;
  const { depth_m } = renderScene(emptyOutdoorScene(height_m, pitch_rad), { height: size, width: size, samplesPerAxis: 1 });
  const focal = size / 2 / Math.tan(SYNTHETIC_HFOV_RAD / 2);
  let checked = 0;
  for (let row = 0; row < size; row++) {
    const tanAlpha = (row + 0.5 - size / 2) / focal; // angle below the optical axis
    const denominator = tanAlpha * Math.cos(pitch_rad) + Math.sin(pitch_rad);
    const expected = denominator > 0 ? height_m / denominator : Infinity;
    for (const column of [0, 7, 16, 31]) {
      const actual = depth_m[row * size + column];
      if (expected >= SYNTHETIC_MIN_DEPTH_M && expected <= SYNTHETIC_MAX_DEPTH_M) {
        assert.ok(Math.abs(actual - expected) < 1e-5 * expected, `row ${row}: ${actual} vs ${expected}`);
        checked++;
      } else {
        assert.equal(actual, 0, `row ${row} (sky or beyond ${SYNTHETIC_MAX_DEPTH_M} m) must be invalid`);
      }
    }
  }
  assert.ok(checked > 40, "enough ground rows inside the depth range");
});

test("an object in front occludes the ground (front-face depth) and casts a shadow away from the light", () => {
  const size = 32;
  const scene = emptyOutdoorScene(1.5, 0);
  scene.light.direction = [Math.SQRT1_2, Math.SQRT1_2, 0]; // light from the +x side, 45 degrees up
  const ground = renderScene(scene, { height: size, width: size, samplesPerAxis: 1 });
  scene.objects = [{ kind: "box", x_m: 0, z_m: 5, halfSize_m: [0.5, 0.75, 0.5], yaw_rad: 0, material: grey }];
  const withBox = renderScene(scene, { height: size, width: size, samplesPerAxis: 1 });
  // Row 18 looks 5.2 degrees down: the bare ground is 16.6 m away, the box's front face (z = 4.5 m,
  // 0..1.5 m tall) blocks it; with pitch 0 planar depth is exactly 4.5 m.
  const front = 18 * size + 16;
  assert.ok(ground.depth_m[front] > 15, `bare ground far behind: ${ground.depth_m[front]}`);
  assert.ok(Math.abs(withBox.depth_m[front] - 4.5) < 1e-5, `box front face: ${withBox.depth_m[front]}`);
  // Row 24 meets the ground at z = 4.9 m; column 11 at x = -0.79 m (beside the box, in its shadow),
  // column 20 at x = +0.79 m (lit). Both see the ground, so depth is unchanged.
  const shadowed = 24 * size + 11;
  const lit = 24 * size + 20;
  for (const pixel of [shadowed, lit]) assert.equal(withBox.depth_m[pixel], ground.depth_m[pixel]);
  const lambert = 0.5 * (0.2 + 0.8 * Math.SQRT1_2);
  assert.ok(Math.abs(ground.rgb[shadowed * 3] - lambert) < 1e-6 && Math.abs(withBox.rgb[lit * 3] - lambert) < 1e-6);
  assert.ok(Math.abs(withBox.rgb[shadowed * 3] - 0.5 * 0.2) < 1e-6, `shadow is ambient only: ${withBox.rgb[shadowed * 3]}`);
});

test("samples are deterministic by seed, differ across seeds and splits, and keep depth inside the documented range", () => {
  const a = syntheticSample(7, "train", 3, 48, 64);
  const b = syntheticSample(7, "train", 3, 48, 64);
  assert.deepEqual(a.rgb, b.rgb);
  assert.deepEqual(a.depth_m, b.depth_m);
  assert.notDeepEqual(syntheticSample(8, "train", 3, 48, 64).depth_m, a.depth_m);
  assert.notDeepEqual(syntheticSample(7, "test", 3, 48, 64).depth_m, a.depth_m);
  let valid = 0;
  let total = 0;
  for (let i = 0; i < 20; i++) {
    const { rgb, depth_m } = syntheticSample(3, "train", i, 32, 32);
    assert.equal(rgb.length, 32 * 32 * 3);
    for (const v of rgb) assert.ok(v >= 0 && v <= 1);
    for (const d of depth_m) {
      total++;
      if (d === 0) continue;
      valid++;
      assert.ok(d >= SYNTHETIC_MIN_DEPTH_M && d <= SYNTHETIC_MAX_DEPTH_M, `depth ${d}`);
    }
  }
  assert.ok(valid / total > 0.6, `most pixels carry depth (${valid}/${total})`);
});

test("generateSyntheticDataset writes split counts and a manifest; the data set reopens identically", async () => {
  const dir = join(root, "small");
  const manifest = await generateSyntheticDataset({ dir, height: 16, width: 24, counts: { train: 5, val: 2, test: 3 }, seed: 4 });
  assert.deepEqual(manifest.counts, { train: 5, val: 2, test: 3 });
  assert.equal(manifest.generatorVersion, "synthetic-rgbd-1");
  const dataset = await openDepthDataset(dir);
  assert.deepEqual(dataset.manifest, manifest);
  assert.deepEqual([dataset.train.count, dataset.val.count, dataset.test.count], [5, 2, 3]);
  const sample = dataset.test.get(2);
  const direct = syntheticSample(4, "test", 2, 16, 24);
  assert.deepEqual(sample.depth_m, direct.depth_m);
  // rgb is stored as 8 bits: within half a quantisation step.
  sample.rgb.forEach((v, k) => assert.ok(Math.abs(v - direct.rgb[k]) <= 0.5 / 255 + 1e-6));
  let min = Infinity;
  let max = 0;
  for (const split of [dataset.train, dataset.val, dataset.test]) {
    for (let i = 0; i < split.count; i++) for (const d of split.get(i).depth_m) if (d > 0) { min = Math.min(min, d); max = Math.max(max, d); }
  }
  assert.deepEqual(manifest.depthRange_m, [min, max]);
  assert.throws(() => dataset.val.get(2), /outside 0\.\.1/);
  await assert.rejects(generateSyntheticDataset({ dir, height: 16, width: 24, counts: { train: 1, val: 0, test: 0 } }), /already exists/);
});

test("an interrupted generation leaves nothing that looks complete", async () => {
  const dir = join(root, "interrupted");
  await assert.rejects(
    generateSyntheticDataset({
      dir, height: 8, width: 8, counts: { train: 6, val: 1, test: 1 },
      onProgress: (done) => { if (done === 3) throw new Error("simulated interruption"); },
    }),
    /simulated interruption/,
  );
  assert.equal(existsSync(dir), false);
  assert.deepEqual(readdirSync(root).filter((f) => f.includes("interrupted")), [], "the temporary directory is removed");
  // A process killed mid-write leaves the arrays but never the manifest (written last): opening must fail.
  const killed = join(root, "killed");
  await generateSyntheticDataset({ dir: killed, height: 8, width: 8, counts: { train: 2, val: 1, test: 1 } });
  unlinkSync(join(killed, "manifest.json"));
  await assert.rejects(openDepthDataset(killed), /manifest\.json is missing.*not a complete/);
  await assert.rejects(openDepthDataset(join(root, "never-made")), /no such data set directory/);
});
