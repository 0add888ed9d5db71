import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jupyterMissingReason, runNotebook } from "../../src/pipeline/notebook-runner.js";
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
    assert.match(html, /centre of smoothed ramp: 12\.0000 \(expected 12\.0000\)/);
    // The kernel must get the same engine as the CLI: a native addon that loads in tsx but not in tslab
    // would silently train notebooks on plain wasm.
    const info = spawnSync(process.execPath, [join(PROJECT_ROOT, "bin", "optocnn.mjs"), "info"], { encoding: "utf8", env: { ...process.env, OPTOCNN_QUIET: "1" } });
    assert.equal(info.status, 0, info.stderr);
    const cliEngine = (JSON.parse(info.stdout) as { engine: string }).engine;
    assert.match(html, new RegExp(`engine: ${cliEngine} `));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
