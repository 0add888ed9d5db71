import { test } from "node:test";
import assert from "node:assert/strict";
import { jsComplexOps } from "../../src/engine/complex/complex-ops-js.js";
import { runOpticsValidation } from "../../src/optics/validation.js";

// Each closed form (Airy, energy, Gaussian beam, Fresnel square aperture, quantised gratings, adjoints,
// finite differences, Marechal) is one result; the tolerances live with the checks in validation.ts.
test("every physics check passes against its closed form (TypeScript complex ops)", () => {
  const results = runOpticsValidation(jsComplexOps());
  assert.ok(results.length >= 15, `expected at least 15 checks, got ${results.length}`);
  for (const r of results) {
    assert.ok(Number.isFinite(r.value), `${r.name}: value ${r.value}`);
    assert.ok(r.pass, `${r.name}: ${r.value} vs ${r.expected} +- ${r.tolerance}`);
  }
  const names = results.map((r) => r.name).join("\n");
  for (const required of ["airy first zero", "energy conservation", "fresnel square aperture", "quantised grating", "adjoint dot-product", "finite-difference gradient", "marechal"]) {
    assert.ok(names.includes(required), `missing check ${required}`);
  }
});
