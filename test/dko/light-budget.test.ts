// The light-budget warning: raised below 20 % of the light in the kernel windows, naming both scores.
import assert from "node:assert/strict";
import { test } from "node:test";
import { lightBudgetWarning } from "../../src/dko/light-budget.js";
import type { SetMetrics } from "../../src/eval/evaluate-depth.js";

const metrics = (absRel: number) => ({ absRel }) as SetMetrics;

test("the light-budget warning names the efficiency and both scores below 20 %, and stays silent above", () => {
  const warning = lightBudgetWarning(0.094, 0, metrics(0.2067), metrics(0.2495));
  assert.match(warning ?? "", /9\.4 % of their light/);
  assert.match(warning ?? "", /AbsRel 0\.2495 against 0\.2067 kernel-only/);
  assert.match(warning ?? "", /shape-only \(optimiser\.efficiencyWeight 0\)/);
  assert.match(lightBudgetWarning(0.1, 0.1, metrics(0.2)) ?? "", /efficiencyWeight 0\.1\) keeps too little.*dko\.evaluation\.sensorArray/);
  assert.equal(lightBudgetWarning(0.4, 0, metrics(0.2151), metrics(0.216)), null);
  assert.equal(lightBudgetWarning(Number.NaN, 0, metrics(0.2)), null);
});
