import assert from "node:assert/strict";
import { test } from "node:test";
import { fillStandardNormal } from "../../src/util/normal-fill.js";

/** Standard normal CDF (Abramowitz & Stegun 26.2.17, error < 7.5e-8). */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const tail = (Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI)) * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return x >= 0 ? 1 - tail : tail;
}

test("ziggurat normals: N(0, 1) by moments, tails and a Kolmogorov-Smirnov test on a million draws; seeded", () => {
  const n = 1_000_000;
  const x = fillStandardNormal(new Float64Array(n), 12345);
  let m1 = 0;
  let m2 = 0;
  let m4 = 0;
  let beyond3 = 0;
  let beyond4 = 0;
  for (const v of x) {
    m1 += v / n;
    m2 += (v * v) / n;
    m4 += (v * v * v * v) / n;
    if (Math.abs(v) > 3) beyond3++;
    if (Math.abs(v) > 4) beyond4++;
  }
  // Standard errors on 1e6 draws: mean 0.001, variance 0.0014, fourth moment 0.01.
  assert.ok(Math.abs(m1) < 0.005, `mean ${m1}`);
  assert.ok(Math.abs(m2 - 1) < 0.007, `variance ${m2}`);
  assert.ok(Math.abs(m4 - 3) < 0.05, `fourth moment ${m4}`);
  // P(|x| > 3) = 0.0026998 (2700 +- 52 expected), P(|x| > 4) = 6.33e-5 (63 +- 8): the tail algorithm works.
  assert.ok(Math.abs(beyond3 - 2700) < 5 * 52, `beyond 3: ${beyond3}`);
  assert.ok(Math.abs(beyond4 - 63) < 5 * 8, `beyond 4: ${beyond4}`);
  const sorted = Float64Array.from(x).sort();
  let ks = 0;
  sorted.forEach((v, i) => (ks = Math.max(ks, Math.abs(normalCdf(v) - (i + 0.5) / n))));
  // The 1 % critical value of the KS statistic is 1.63 / sqrt(n) = 0.00163.
  assert.ok(ks < 0.00163, `KS statistic ${ks}`);
  assert.deepEqual(fillStandardNormal(new Float32Array(5), 7), fillStandardNormal(new Float32Array(5), 7));
  assert.notDeepEqual(fillStandardNormal(new Float32Array(5), 7), fillStandardNormal(new Float32Array(5), 8));
});
