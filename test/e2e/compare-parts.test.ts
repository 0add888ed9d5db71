import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { spreadOf, summariseBudget, type SeedResult } from "../../src/e2e/compare-summary.js";
import { depthNetForwardFlops, psfFlops, trainStepFlops } from "../../src/e2e/flops.js";
import { kernelsOnWrongChannels, kernelsWithNoise, randomKernelsOfSameNorm } from "../../src/e2e/reference-kernels.js";
import { nmse } from "../../src/eval/nmse.js";

const metrics = (absRel: number, rmse: number) => ({ absRel, sqRel: 0, rmse, rmseLog: 0, delta1: 0, delta2: 0, delta3: 0 });

describe("compare parts", () => {
  test("depth-net FLOPs, hand-computed for a one-stage network", () => {
    const net = { inputHeight: 32, inputWidth: 32, firstLayer: { kernels: 4, size: 7, stride: 2 as const }, encoder: [{ channels: 8, blocks: 0 }], decoderChannels: [8] };
    // first 7x7 3->4 at 16x16; down 3x3 4->8 at 8x8; upconv0 3x3 8->8 at 8x8; upconv1 3x3 (8+4)->8 at 16x16; head 3x3 8->1 at 16x16.
    assert.deepEqual(depthNetForwardFlops(net), { firstLayer: 2 * 256 * 49 * 3 * 4, backEnd: 2 * 64 * 9 * 4 * 8 + 2 * 64 * 9 * 8 * 8 + 2 * 256 * 9 * 12 * 8 + 2 * 256 * 9 * 8 });
    assert.equal(depthNetForwardFlops(net, 15).firstLayer, 2 * 256 * 225 * 3 * 4);
    assert.equal(trainStepFlops({ firstLayer: 10, backEnd: 100 }, 2, { firstLayer: true, backEnd: false }), 2 * (200 + 20));
    assert.equal(psfFlops(3, 64, 42, true), 3 * 2 * 8 * (64 * 64 * 42 + 64 * 42 * 42));
  });

  test("reference kernel banks: exact noise NMSE, same norm, rotated output channels", () => {
    const weights = Float32Array.from({ length: 7 * 7 * 3 * 4 }, (_, i) => Math.sin(i * 1.7));
    assert.ok(Math.abs(nmse(kernelsWithNoise(weights, 0.25, 1), weights) - 0.25) < 1e-5);
    assert.ok(Math.abs(nmse(kernelsWithNoise(weights, 1, 2), weights) - 1) < 1e-5);
    const random = randomKernelsOfSameNorm(weights, 3);
    const norm = (x: Float32Array) => x.reduce((a, v) => a + v * v, 0);
    assert.ok(Math.abs(norm(random) / norm(weights) - 1) < 1e-5);
    const wrong = kernelsOnWrongChannels(Float32Array.from([1, 2, 3, 10, 20, 30]), { kernelSize: 1, inChannels: 2, outChannels: 3 });
    assert.deepEqual([...wrong], [2, 3, 1, 20, 30, 10]);
  });

  test("spread over seeds and the E2E / DKO ratios", () => {
    assert.deepEqual(spreadOf([1, 2, 3]), { mean: 2, std: 1, min: 1, max: 3, values: [1, 2, 3] });
    const seed = (s: number, dko: number, e2e: number): SeedResult => ({
      seed: s, budgetSeconds: 1, stage1Seconds: 0.5, references: [], curve: [],
      methods: [
        { method: "dko", elapsedSeconds: 1, steps: 2, test: metrics(dko, 2 * dko), kernelBankNmse: 0.1 },
        { method: "e2e-optics-only", elapsedSeconds: 1, steps: 3, test: metrics(e2e, e2e), kernelBankNmse: 0.5 },
      ],
    });
    const budget = summariseBudget(1, [seed(0, 0.2, 0.4), seed(1, 0.1, 0.3)], ["optics-only"]);
    const close = (got: number[], expected: number[]) => expected.forEach((v, i) => assert.ok(Math.abs(got[i] - v) < 1e-12, `${got} vs ${expected}`));
    close(budget.ratios["e2e-optics-only"].absRel.values, [2, 3]);
    close(budget.ratios["e2e-optics-only"].rmse.values, [1, 1.5]);
    assert.ok(Math.abs(budget.metrics.dko.absRel.mean - 0.15) < 1e-12);
    assert.equal(budget.ratios["e2e-optics-only"].sensorAbsRel, undefined);
    // With the sensor's image formation scored for both: its own ratio; one seed without it drops the ratio.
    const sensed = (s: SeedResult, dko: number, e2e: number): SeedResult => ({ ...s, methods: [{ ...s.methods[0], sensorTest: metrics(dko, 1) }, { ...s.methods[1], sensorTest: metrics(e2e, 1) }] });
    const withSensor = summariseBudget(1, [sensed(seed(0, 0.2, 0.4), 0.25, 0.3), sensed(seed(1, 0.1, 0.3), 0.2, 0.5)], ["optics-only"]);
    close(withSensor.ratios["e2e-optics-only"].sensorAbsRel!.values, [1.2, 2.5]);
    assert.equal(summariseBudget(1, [sensed(seed(0, 0.2, 0.4), 0.25, 0.3), seed(1, 0.1, 0.3)], ["optics-only"]).ratios["e2e-optics-only"].sensorAbsRel, undefined);
  });

  test("the CLI refuses a budget of zero or below naming the option or field", () => {
    const cli = (args: string[]) => spawnSync(process.execPath, ["bin/optocnn.mjs", ...args], { encoding: "utf8", env: { ...process.env, OPTOCNN_QUIET: "1" } });
    const compare = cli(["compare", "--preset", "tiny", "--budgets", "1,0"]);
    assert.equal(compare.status, 1);
    assert.match(compare.stderr, /compare\.budgetFactors\.1: budget factors must be > 0/);
    const e2e = cli(["e2e", "--preset", "tiny", "--seconds", "0"]);
    assert.equal(e2e.status, 1);
    assert.match(e2e.stderr, /--seconds: must be a positive number of seconds/);
  });
});
