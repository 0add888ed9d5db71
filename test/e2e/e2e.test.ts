import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { DepthDataset } from "../../src/data/types.js";
import { E2E_PARAMS_NAME } from "../../src/e2e/optical-layer.js";
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
