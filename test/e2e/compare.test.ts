import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { DepthDataset } from "../../src/data/types.js";
import { initEngine } from "../../src/engine/backend.js";
import { CompareInterrupted } from "../../src/e2e/compare.js";
import { compareStage } from "../../src/pipeline/compare-stage.js";
import { tinyDataset } from "../train/fixtures.js";

let root: string;
let dataset: DepthDataset;

before(async () => {
  await initEngine();
  ({ root, dataset } = await tinyDataset());
});
after(() => rmSync(root, { recursive: true, force: true }));

describe("compare on the tiny preset", () => {
  test("DKO and every E2E variant at one budget and two seeds: summary, curves, examples, cost table; reused after", async () => {
    const dir = join(root, "compare");
    const overrides = { budgetFactors: [1], seeds: [0, 1] };
    const { summary, reused } = await compareStage({ dir, preset: "tiny", dataset, overrides, policy: "refuse" });
    assert.equal(reused, false);
    assert.equal(summary.processes, 1);
    assert.deepEqual([summary.resumed, summary.warnings], [[], []]);
    const [budget] = summary.budgets;
    assert.equal(budget.seeds.length, 2);
    for (const seed of budget.seeds) {
      const dko = seed.methods.find((m) => m.method === "dko")!;
      const stage1 = seed.methods.find((m) => m.method === "electronic")!;
      assert.ok(Math.abs(dko.elapsedSeconds - seed.budgetSeconds) < 1e-9);
      assert.ok(seed.budgetSeconds > seed.stage1Seconds && stage1.elapsedSeconds === seed.stage1Seconds);
      for (const variant of ["optics-only", "joint-scratch", "joint-stage1"]) {
        const e2e = seed.methods.find((m) => m.method === `e2e-${variant}`)!;
        // A seconds budget ends after the step that crosses it: E2E spends at least DKO's seconds.
        assert.ok(e2e.elapsedSeconds >= seed.budgetSeconds && e2e.steps >= 1, `${variant}: ${e2e.elapsedSeconds} s vs ${seed.budgetSeconds} s`);
      }
      assert.deepEqual(seed.references.map((r) => r.reference.split(",")[0]), ["trained kernels", "DKO-realised kernels", "trained + noise", "trained + noise", "random kernels", "trained kernels"]);
      assert.equal(seed.references[0].kernelBankNmse, 0);
      assert.ok(Math.abs(seed.references[2].kernelBankNmse - 0.25) < 1e-4 && Math.abs(seed.references[3].kernelBankNmse - 1) < 1e-4);
      // The frozen back end behind its own kernels reproduces the electronic network.
      assert.ok(Math.abs(seed.references[0].test.absRel - stage1.test.absRel) < 1e-5);
    }
    // Units hold nothing once done: a second unit in the same process leaves as many live tensors as the first.
    assert.deepEqual(summary.memoryAfterUnits.map((m) => m.unit), ["x1 seed 0", "x1 seed 1"]);
    assert.equal(summary.memoryAfterUnits[1].tensors, summary.memoryAfterUnits[0].tensors, JSON.stringify(summary.memoryAfterUnits));
    const ratio = budget.ratios["e2e-optics-only"].absRel;
    assert.equal(ratio.values.length, 2);
    assert.ok(ratio.min > 0 && ratio.std >= 0);
    assert.deepEqual(summary.cost.map((row) => row.method), ["stage 1", "DKO stage 2", "E2E optics-only", "E2E joint-scratch", "E2E joint-stage1"]);
    assert.equal(summary.cost[1].ratioToDkoStage2.flops, 1);
    assert.ok(summary.cost[2].flopsPerStep > summary.cost[1].flopsPerStep && summary.cost[2].peakMemory_bytes > 0);
    const csv = readFileSync(join(dir, "metrics.csv"), "utf8").trim().split("\n");
    assert.equal(csv[0], "method,budget_factor,seed,elapsed_seconds,split,absRel,sqRel,rmse,rmseLog,delta1,delta2,delta3");
    assert.ok(csv.filter((line) => line.startsWith("e2e-joint-scratch,1,0,") && line.includes(",val,")).length >= 1);
    for (const file of ["electronic", "dko", "e2e-optics-only", "e2e-joint-scratch", "e2e-joint-stage1"]) assert.ok(existsSync(join(dir, "examples", `${file}.npy`)), file);
    const again = await compareStage({ dir, preset: "tiny", dataset, overrides, policy: "refuse" });
    assert.equal(again.reused, true);
    // Other settings in the same directory: refused, naming the field; nothing replaced.
    await assert.rejects(compareStage({ dir, preset: "tiny", dataset, overrides: { ...overrides, seeds: [0, 2] }, policy: "refuse" }), /compare\.seeds: \[0,1\] -> \[0,2\]/);
    assert.ok(existsSync(join(dir, "summary.json")));
  });

  test("with the sensor's image formation: DKO and E2E scored on the sensor too, with their ratio", async () => {
    const dir = join(root, "compare-sensor");
    const overrides = { budgetFactors: [0.5], seeds: [0], variants: ["optics-only" as const], sensorArray: true };
    const { summary } = await compareStage({ dir, preset: "tiny", dataset, overrides, policy: "refuse" });
    const [seed] = summary.budgets[0].seeds;
    const dko = seed.methods.find((m) => m.method === "dko")!;
    const e2e = seed.methods.find((m) => m.method === "e2e-optics-only")!;
    assert.ok(dko.sensorTest && e2e.sensorTest, "sensor metrics for both optical methods");
    assert.equal(seed.methods.find((m) => m.method === "electronic")!.sensorTest, undefined);
    // The halo and the neighbours change what the network sees: the sensor scores differ from the kernel-only ones.
    assert.notEqual(dko.sensorTest.absRel, dko.test.absRel);
    const ratio = summary.budgets[0].ratios["e2e-optics-only"].sensorAbsRel!;
    assert.ok(Math.abs(ratio.values[0] - e2e.sensorTest.absRel / dko.sensorTest.absRel) < 1e-12);
  });

  test("a stopped comparison keeps its finished units and the rerun runs only the rest, saying its units came from two processes", async () => {
    const dir = join(root, "compare-stopped");
    const overrides = { budgetFactors: [0.5], seeds: [0, 1] };
    const controller = new AbortController();
    // Stop once the second unit has started: the first is finished, the second is in its stage 1.
    const log = (line: string) => {
      if (line.includes("x0.5 seed 1: stage 1")) controller.abort();
    };
    const stopped = await compareStage({ dir, preset: "tiny", dataset, overrides, policy: "refuse", log, signal: controller.signal }).catch((error: unknown) => error);
    assert.ok(stopped instanceof CompareInterrupted, String(stopped));
    assert.deepEqual(stopped.kept, ["x0.5 seed 0"]);
    assert.match(stopped.stoppedIn, /^x0\.5 seed 1, stage 1$/);
    assert.equal(existsSync(join(dir, "summary.json")), false, "no summary for an unfinished comparison");
    assert.ok(existsSync(join(dir, "seed-0", "x0.5", "result.json")) && !existsSync(join(dir, "seed-1", "x0.5", "result.json")));
    const first = (JSON.parse(readFileSync(join(dir, "seed-0", "x0.5", "result.json"), "utf8")) as { value: { seed: unknown } }).value;

    const lines: string[] = [];
    const { summary, reused } = await compareStage({ dir, preset: "tiny", dataset, overrides, policy: "refuse", log: (line) => lines.push(line) });
    assert.equal(reused, false);
    assert.ok(lines.some((l) => /x0\.5 seed 0: resumed from/.test(l)), lines.join("\n"));
    assert.ok(lines.some((l) => /x0\.5 seed 1: unfinished in an earlier process/.test(l)), lines.join("\n"));
    assert.ok(!lines.some((l) => /x0\.5 seed 0: stage 1/.test(l)), "the finished unit is not run again");
    assert.deepEqual(summary.budgets[0].seeds[0], first.seed);
    assert.equal(summary.budgets[0].seeds.length, 2);
    assert.equal(summary.processes, 2);
    assert.deepEqual(summary.resumed, ["x0.5 seed 0"]);
    assert.match(summary.warnings.join(" "), /ran in 2 processes/);
  });

  test("a budget factor of zero or below is refused naming the field, before anything is made", async () => {
    const dir = join(root, "compare-bad");
    await assert.rejects(compareStage({ dir, preset: "tiny", dataset, overrides: { budgetFactors: [1, 0] }, policy: "refuse" }), /compare\.budgetFactors\.1: budget factors must be > 0/);
    await assert.rejects(compareStage({ dir, preset: "tiny", dataset, overrides: { budgetFactors: [-0.5] }, policy: "refuse" }), /compare\.budgetFactors\.0/);
    assert.equal(existsSync(dir), false);
  });
});
