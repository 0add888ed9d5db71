import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { DepthDataset } from "../../src/data/types.js";
import { initEngine } from "../../src/engine/backend.js";
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

  test("a budget factor of zero or below is refused naming the field, before anything is made", async () => {
    const dir = join(root, "compare-bad");
    await assert.rejects(compareStage({ dir, preset: "tiny", dataset, overrides: { budgetFactors: [1, 0] }, policy: "refuse" }), /compare\.budgetFactors\.1: budget factors must be > 0/);
    await assert.rejects(compareStage({ dir, preset: "tiny", dataset, overrides: { budgetFactors: [-0.5] }, policy: "refuse" }), /compare\.budgetFactors\.0/);
    assert.equal(existsSync(dir), false);
  });
});
