import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jupyterMissingReason, runNotebook } from "../../src/notebooks/runner.js";
import { PROJECT_ROOT } from "../../src/io/paths.js";

test("the smoke notebook runs headless in the tslab kernel and imports src/", async (t) => {
  const missing = jupyterMissingReason();
  if (missing) {
    t.skip(`notebook test skipped: ${missing}`);
    return;
  }
  const outDir = mkdtempSync(join(tmpdir(), "optocnn-nb-"));
  try {
    const result = await runNotebook(join(PROJECT_ROOT, "notebooks", "00-smoke.ipynb"), { root: PROJECT_ROOT, outDir, timeoutSeconds: 180 });
    assert.ok(result.ok, `notebook failed:\n${result.error}`);
    const html = readFileSync(result.html, "utf8");
    // The conv cell computes the centre of a box-filtered ramp; 12 proves tfjs ran inside the kernel.
    assert.match(html, /centre of smoothed ramp: 12 \(expected 12\)/);
    assert.match(html, /engine: (node|native|wasm|cpu)/);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
