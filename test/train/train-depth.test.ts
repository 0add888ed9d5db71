import { test } from "node:test";
import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { initEngine } from "../../src/engine/backend.js";
import { buildDepthNet } from "../../src/models/depth-net.js";
import { defaultProtocol } from "../../src/eval/depth-protocol.js";
import { evaluateDepth } from "../../src/eval/evaluate-depth.js";
import { latestCheckpointDir, loadCheckpoint } from "../../src/train/checkpoint.js";
import { loadRun } from "../../src/train/load-run.js";
import { trainDepth } from "../../src/train/train-depth.js";
import { tinyConfig, tinyDataset } from "./fixtures.js";

test("a step budget stops exactly; the run directory is complete and loadable", async () => {
  await initEngine();
  const { root, dataset } = await tinyDataset();
  try {
    const runDir = join(root, "run");
    const result = await trainDepth({ runDir, dataset, config: tinyConfig(dataset, { validateEvery: 3, checkpointEvery: 4 }), budget: { steps: 7 } });
    assert.equal(result.status, "finished");
    assert.equal(result.step, 7);
    const summary = result.summary!;
    assert.equal(summary.steps, 7);
    assert.equal(loadCheckpoint(latestCheckpointDir(runDir)!).state.step, 7);
    const csv = readFileSync(join(runDir, "metrics.csv"), "utf8").trim().split("\n");
    assert.deepEqual(csv.slice(1).map((line) => Number(line.split(",")[0])), [3, 6, 7]);
    for (const file of ["config.json", "summary.json", "weights/manifest.json", "weights/first.kernel.npy"]) assert.ok(existsSync(join(runDir, file)), file);
    assert.equal(summary.parameterCount, result.net.parameterCount);
    assert.ok(summary.engine.engine.length > 0);
    assert.ok(summary.constantBaselines.mean.test.absRel > 0);
    // loadRun rebuilds the trained network from disk
    const run = await loadRun(runDir);
    for (const [name, v] of result.net.variables) assert.deepEqual(Array.from(run.net.variables.get(name)!.dataSync()), Array.from(v.dataSync()), name);
    assert.equal(run.summary?.steps, 7);
    await assert.rejects(trainDepth({ runDir, dataset, config: tinyConfig(dataset), budget: { steps: 7 } }), /already holds a run.*--resume/);
    result.net.dispose();
    run.net.dispose();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a run interrupted and resumed ends exactly where the uninterrupted run ends", async () => {
  await initEngine();
  const { root, dataset } = await tinyDataset();
  try {
    const config = tinyConfig(dataset, { validateEvery: 3, checkpointEvery: 100 });
    const budget = { steps: 8 };
    const straight = await trainDepth({ runDir: join(root, "straight"), dataset, config, budget });

    const resumedDir = join(root, "resumed");
    const controller = new AbortController();
    const first = await trainDepth({
      runDir: resumedDir, dataset, config, budget, signal: controller.signal,
      onProgress: (event) => { if (event.phase === "train" && event.step === 5) controller.abort(); },
    });
    assert.equal(first.status, "interrupted");
    assert.equal(first.step, 5);
    assert.equal(existsSync(join(resumedDir, "summary.json")), false);
    first.net.dispose();
    const resumed = await trainDepth({ runDir: resumedDir, dataset, resume: true });
    assert.equal(resumed.status, "finished");
    assert.equal(resumed.step, 8);
    for (const [name, v] of straight.net.variables) {
      assert.deepEqual(Array.from(resumed.net.variables.get(name)!.dataSync()), Array.from(v.dataSync()), name);
    }
    const history = (dir: string) => readFileSync(join(dir, "metrics.csv"), "utf8").split("\n").map((line) => line.split(",").filter((_, i) => i !== 2).join(","));
    assert.deepEqual(history(resumedDir), history(join(root, "straight"))); // all but the timing column
    assert.equal(resumed.summary!.test.absRel, straight.summary!.test.absRel);
    straight.net.dispose();
    resumed.net.dispose();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the tiny preset learns: training loss falls and test AbsRel improves on the untrained network", async () => {
  await initEngine();
  const { root, dataset } = await tinyDataset();
  try {
    const config = tinyConfig(dataset, { validateEvery: 20 });
    const untrained = buildDepthNet(config.net);
    const before = await evaluateDepth((rgb) => untrained.predict(rgb), dataset.test, { protocol: defaultProtocol("synthetic") });
    untrained.dispose();
    const result = await trainDepth({ runDir: join(root, "run"), dataset, config, budget: { steps: 80 } });
    const rows = readFileSync(join(root, "run", "metrics.csv"), "utf8").trim().split("\n").slice(1).map((line) => line.split(",").map(Number));
    const trainLoss = rows.map((row) => row[4]);
    assert.ok(trainLoss[trainLoss.length - 1] < 0.8 * trainLoss[0], `train loss ${trainLoss.join(" -> ")}`);
    const after = result.summary!.test.absRel;
    assert.ok(after < 0.8 * before.absRel, `test AbsRel ${before.absRel} -> ${after}`);
    result.net.dispose();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a tiny run on wide 32x96 images trains, scores under the protocol it was given and records it", async () => {
  await initEngine();
  const { root, dataset } = await tinyDataset({ height: 32, width: 96 });
  try {
    const evalProtocol = { minDepth_m: 1e-3, maxDepth_m: 80, crop: "garg", medianScaling: true } as const;
    const runDir = join(root, "run");
    const result = await trainDepth({ runDir, dataset, config: tinyConfig(dataset, { validateEvery: 20 }), budget: { steps: 40 }, evalProtocol });
    const summary = result.summary!;
    assert.deepEqual(summary.evalProtocol, evalProtocol);
    assert.deepEqual(JSON.parse(readFileSync(join(runDir, "config.json"), "utf8")).evalProtocol, evalProtocol);
    // The summary's test metrics are evaluateDepth's under that protocol, and differ from the uncropped, unscaled ones.
    const rescored = await evaluateDepth((rgb) => result.net.predict(rgb), dataset.test, { protocol: evalProtocol });
    assert.equal(summary.test.absRel, rescored.absRel);
    const plain = await evaluateDepth((rgb) => result.net.predict(rgb), dataset.test, { protocol: defaultProtocol("synthetic") });
    assert.notEqual(plain.absRel, rescored.absRel);
    const rows = readFileSync(join(runDir, "metrics.csv"), "utf8").trim().split("\n").slice(1).map((line) => Number(line.split(",")[4]));
    assert.ok(rows[1] < rows[0], `train loss ${rows.join(" -> ")}`);
    assert.ok(summary.test.absRel < summary.constantBaselines.mean.test.absRel, `network ${summary.test.absRel} vs train-mean constant ${summary.constantBaselines.mean.test.absRel}`);
    result.net.dispose();
    // The CLI's protocol options name themselves when wrong, before any training.
    const cli = (...args: string[]) => {
      try {
        execFileSync("node", ["bin/optocnn.mjs", "train", "--data", dataset.dir, "--out", join(root, "cli-run"), "--preset", "tiny", ...args], { encoding: "utf8", stdio: "pipe" });
        return "";
      } catch (error) {
        return String((error as { stderr: string }).stderr);
      }
    };
    assert.match(cli("--eval-crop", "kitti"), /--eval-crop: .*"none".*"garg".*"eigen"/);
    assert.match(cli("--depth-cap-m", "0.0005"), /--depth-cap-m \/ --min-depth-m: the depth cap maxDepth_m must exceed minDepth_m/);
    assert.equal(existsSync(join(root, "cli-run")), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
