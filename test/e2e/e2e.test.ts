import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { DepthDataset } from "../../src/data/types.js";
import { OpticsBank } from "../../src/dko/optics-bank.js";
import { sensorArrayDesign } from "../../src/dko/sensor-evaluation.js";
import { extractKernelTargets } from "../../src/dko/targets.js";
import { E2E_PARAMS_NAME } from "../../src/e2e/optical-layer.js";
import { readNpy } from "../../src/io/npy.js";
import { loadRun } from "../../src/train/load-run.js";
import { initEngine } from "../../src/engine/backend.js";
import { loadTensors } from "../../src/models/weights-io.js";
import { e2eStage } from "../../src/pipeline/e2e-stage.js";
import { PRESETS } from "../../src/pipeline/presets.js";
import { presetNetConfig } from "../../src/pipeline/preset-configs.js";
import { latestCheckpointDir } from "../../src/train/checkpoint.js";
import { trainDepth } from "../../src/train/train-depth.js";
import { tinyConfig, tinyDataset } from "../train/fixtures.js";

let root: string;
let dataset: DepthDataset;
let stage1Dir: string;
const optics = PRESETS.tiny.dko.optics;
const settings = { ...PRESETS.tiny.e2e.settings };

before(async () => {
  await initEngine();
  ({ root, dataset } = await tinyDataset());
  stage1Dir = join(root, "stage1");
  const result = await trainDepth({ runDir: stage1Dir, dataset, config: tinyConfig(dataset), budget: { steps: 2 } });
  result.net.dispose();
});
after(() => rmSync(root, { recursive: true, force: true }));

describe("E2E runs", () => {
  test("optics-only: trains the metasurfaces behind the frozen back end, checkpoints them with the back end, resumes", async () => {
    const dir = join(root, "e2e-optics");
    const base = { dir, dataset, config: tinyConfig(dataset, { checkpointEvery: 1 }), optics, settings, stage1Dir, policy: "refuse" as const };
    const controller = new AbortController();
    const first = await e2eStage({ ...base, budget: { steps: 3 }, signal: controller.signal, onProgress: (e) => e.phase === "train" && e.step === 2 && controller.abort() });
    assert.deepEqual(first, { status: "interrupted", step: 2 });
    const checkpoint = loadTensors(join(latestCheckpointDir(dir)!, "weights"));
    const params = checkpoint.get(`replacement.${E2E_PARAMS_NAME}`);
    assert.ok(params, `checkpoint holds ${[...checkpoint.keys()].join(", ")}`);
    assert.deepEqual(params.shape, [2 * 4 * 3, optics.cells, optics.cells]);
    // The frozen back end is the stage-1 back end, unchanged.
    const stage1 = loadTensors(join(stage1Dir, "weights"));
    assert.deepEqual(checkpoint.get("head.kernel")!.dataSync(), stage1.get("head.kernel")!.dataSync());
    const resumed = await e2eStage({ ...base, budget: { steps: 3 } });
    assert.equal(resumed.status, "finished");
    if (resumed.status !== "finished") return;
    assert.equal(resumed.summary.steps, 3);
    assert.equal(resumed.summary.trainableParameters, 24 * optics.cells ** 2 + 24);
    assert.ok(resumed.summary.kernelBankNmse! > 0 && Number.isFinite(resumed.summary.test.absRel));
    // The parameters moved: E2E gradients reached the metasurfaces.
    const final = loadTensors(join(dir, "weights")).get(`replacement.${E2E_PARAMS_NAME}`)!.dataSync();
    let moved = 0;
    for (let i = 0; i < final.length; i++) moved = Math.max(moved, Math.abs(final[i] - params.dataSync()[i]));
    assert.ok(moved > 0, "parameters unchanged by training");
    const again = await e2eStage({ ...base, budget: { steps: 3 } });
    assert.equal(again.status === "finished" && again.reused, true);
  });

  test("resuming with other settings is refused naming the field; nothing is overwritten", async () => {
    const dir = join(root, "e2e-optics");
    const before = readFileSync(join(dir, "e2e-summary.json"), "utf8");
    await assert.rejects(
      e2eStage({ dir, dataset, config: tinyConfig(dataset, { checkpointEvery: 1 }), optics, settings: { ...settings, imageFormation: "fit-window" }, budget: { steps: 3 }, stage1Dir, policy: "refuse" }),
      /e2e\.imageFormation: "kernel-crop" -> "fit-window"/,
    );
    assert.equal(readFileSync(join(dir, "e2e-summary.json"), "utf8"), before);
  });

  test("a budget of zero and a stage-1 run of another first layer are refused, leaving nothing", async () => {
    const dir = join(root, "e2e-bad");
    const base = { dir, dataset, config: tinyConfig(dataset), optics, settings, stage1Dir, policy: "refuse" as const };
    await assert.rejects(e2eStage({ ...base, budget: { steps: 0 } }), /budget\.steps: budget\.steps must be > 0/);
    await assert.rejects(e2eStage({ ...base, budget: { seconds: -1 } }), /budget\.seconds: budget\.seconds must be > 0/);
    assert.equal(existsSync(dir), false);
    const wider = { ...tinyConfig(dataset), net: { ...presetNetConfig("tiny", dataset.manifest, 0), firstLayer: { kernels: 6, size: 7, stride: 2 as const } } };
    await assert.rejects(e2eStage({ ...base, config: wider, budget: { steps: 1 } }), /net\.firstLayer\.kernels: the stage-1 run has 4, the E2E preset expects 6/);
    assert.equal(existsSync(dir), false);
    assert.ok(readdirSync(root).includes("stage1"));
  });

  test("with the sensor's image formation: scored from the saved design as stage 2 scores DKO's; refused with the fit-window formation", async () => {
    const dir = join(root, "e2e-sensor");
    const base = { dataset, config: tinyConfig(dataset), optics, stage1Dir, policy: "refuse" as const, budget: { steps: 2 }, sensorArray: {} };
    const outcome = await e2eStage({ ...base, dir, settings: { ...settings, variant: "joint-stage1" } });
    assert.equal(outcome.status, "finished");
    if (outcome.status !== "finished") return;
    const sensor = outcome.summary.sensorArray!;
    assert.ok(sensor && Number.isFinite(sensor.test.absRel), "sensor metrics in the summary");
    const { kernel, halo, neighbours } = sensor.received;
    assert.ok(Math.abs(kernel + halo + neighbours - 1) < 1e-6 && neighbours > 0, JSON.stringify(sensor.received));
    // The same formation from the files the run wrote, through stage 2's own function.
    const bank = new OpticsBank(optics, { kernelSize: 7, inChannels: 3, outChannels: 4 });
    const params = readNpy(join(dir, "params.npy")).data as Float32Array;
    const scales = readNpy(join(dir, "scales.npy")).data as Float32Array;
    const stage1 = await loadRun(stage1Dir);
    const targetKernels = extractKernelTargets(stage1.net).weights;
    stage1.net.dispose();
    const again = sensorArrayDesign({
      bank, params, scales, active: Array.from(scales, (v) => v !== 0), fitWindowPsfs: bank.forward("incident-energy", params),
      targetKernels, kernelOnlyKernels: readNpy(join(dir, "realised_kernels.npy")).data as Float32Array,
      imagePixels: { height: dataset.test.height, width: dataset.test.width }, settings: {},
    });
    assert.ok(Math.abs(again.report.kernelBankNmse - sensor.kernelBankNmse) <= 1e-6 * sensor.kernelBankNmse, `${again.report.kernelBankNmse} vs ${sensor.kernelBankNmse}`);
    assert.deepEqual(again.report.received, sensor.received);
    await assert.rejects(
      e2eStage({ ...base, dir: join(root, "e2e-sensor-fit-window"), settings: { ...settings, imageFormation: "fit-window" } }),
      /sensorArray: the sensor's image formation is scored against the kernel-crop model/,
    );
  });

  test("joint from scratch with the fit-window formation and distillation trains the back end too", async () => {
    const dir = join(root, "e2e-scratch");
    const outcome = await e2eStage({
      dir, dataset, config: tinyConfig(dataset), optics, stage1Dir, policy: "refuse", budget: { steps: 2 },
      settings: { ...settings, variant: "joint-scratch", imageFormation: "fit-window", target: "stage1-prediction" },
    });
    assert.equal(outcome.status, "finished");
    if (outcome.status !== "finished") return;
    assert.ok(outcome.summary.trainableParameters > 24 * optics.cells ** 2 + 24);
    assert.match(outcome.summary.layer, /fit-window \(15x15 kernels\)/);
  });
});
