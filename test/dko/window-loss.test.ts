import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { windowLoss } from "../../src/dko/window-loss.js";
import { seededUniform } from "../seeded.js";

function evaluate(p: Float32Array, target: Float32Array, weight: number) {
  const unitSum = new Float32Array(p.length);
  const gradient = new Float32Array(p.length);
  return { ...windowLoss(p, target, weight, unitSum, gradient), unitSum, gradient };
}

describe("DKO window loss", () => {
  test("hand-computed: a right shape at 40 % efficiency costs only its light term", () => {
    const target = Float32Array.of(0.5, 0.5, 0, 0);
    const exact = evaluate(Float32Array.of(0.2, 0.2, 0, 0), target, 0.5);
    assert.ok(Math.abs(exact.shapeMse) < 1e-12);
    assert.ok(Math.abs(exact.efficiency - 0.4) < 1e-7);
    // mean(t^2) = 0.5 / 4 = 0.125; 0.5 x 0.125 x (1 - 0.4) = 0.0375.
    assert.ok(Math.abs(exact.loss - 0.0375) < 1e-8, `${exact.loss}`);
    assert.deepEqual(Array.from(exact.unitSum, (v) => Math.round(v * 1e6) / 1e6), [0.5, 0.5, 0, 0]);
    // Wrong shape, all light in the window: ((0.25)^2 x 2 + (0.25)^2 x 2) / 4 = 0.0625, no light term.
    const spread = evaluate(Float32Array.of(0.25, 0.25, 0.25, 0.25), target, 0.5);
    assert.ok(Math.abs(spread.shapeMse - 0.0625) < 1e-8 && Math.abs(spread.loss - 0.0625) < 1e-8, `${spread.shapeMse} ${spread.loss}`);
  });

  test("the gradient matches central differences, with and without the light term", () => {
    const n = 36;
    const p = Float32Array.from(seededUniform(n, 3), (u) => 0.02 * (u + 0.1));
    const target = Float32Array.from(seededUniform(n, 4), (u, i) => (i % 3 === 0 ? 0 : u));
    const sum = target.reduce((a, v) => a + v, 0);
    target.forEach((v, i) => (target[i] = v / sum));
    // Float64 reference of the same formula, so the difference quotient is not float32 noise.
    const reference = (values: Float64Array, weight: number) => {
      const eta = values.reduce((a, v) => a + v, 0);
      let shape = 0;
      let power = 0;
      values.forEach((v, j) => {
        shape += (v / eta - target[j]) ** 2;
        power += target[j] ** 2;
      });
      return shape / n + weight * (power / n) * (1 - eta);
    };
    for (const weight of [0, 0.3]) {
      const { gradient, loss } = evaluate(p, target, weight);
      assert.ok(Math.abs(loss - reference(Float64Array.from(p), weight)) <= 1e-5 * loss, `weight ${weight}: loss ${loss}`);
      for (const i of [0, 5, 17, 35]) {
        const h = 1e-4 * p[i];
        const at = (delta: number) => {
          const moved = Float64Array.from(p);
          moved[i] += delta;
          return reference(moved, weight);
        };
        const numeric = (at(h) - at(-h)) / (2 * h);
        assert.ok(Math.abs(gradient[i] - numeric) <= 1e-4 * Math.abs(numeric) + 1e-9, `weight ${weight}, value ${i}: ${gradient[i]} vs ${numeric}`);
      }
    }
  });

  test("refuses a dark window and mismatched lengths", () => {
    assert.throws(() => evaluate(new Float32Array(4), Float32Array.of(1, 0, 0, 0), 0), /receives no light/);
    assert.throws(() => windowLoss(new Float32Array(4).fill(1), new Float32Array(3), 0, new Float32Array(4), new Float32Array(4)), /4 values each/);
  });
});
