import { test } from "node:test";
import assert from "node:assert/strict";
import { meanOf, nmse } from "../../src/eval/nmse.js";

test("nmse is the squared error over the reference energy, by hand", () => {
  // (0^2 + 1^2 + 2^2) / (1 + 1 + 1) = 5 / 3
  assert.ok(Math.abs(nmse([1, 2, 3], [1, 1, 1]) - 5 / 3) < 1e-15);
  // Zeros against a reference: exactly 1.
  assert.equal(nmse([0, 0], [3, -4]), 1);
  assert.equal(nmse([1, 2], [0, 0]), 0);
  assert.throws(() => nmse([1], [1, 2]), /estimate has 1 values, reference 2/);
  assert.equal(meanOf([1, 2, 6]), 3);
  assert.equal(meanOf([]), 0);
});
