import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../src/io/paths.js";
import { resolveDependency } from "../../src/io/paths.js";
import { typecheckNotebooks } from "../../src/pipeline/notebook-code.js";
import { listNotebooks } from "../../src/pipeline/notebook-runner.js";

const tsc = join(resolveDependency("typescript/package.json"), "..", "bin", "tsc");

function typecheck(project: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [tsc, "-p", project], { cwd: PROJECT_ROOT, encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

test("the whole project typechecks under strict settings", () => {
  const { status, output } = typecheck("tsconfig.json");
  assert.equal(status, 0, output);
});

test("src also compiles under the notebook kernel's settings (tslab: not strict, Node10 resolution)", () => {
  // tslab fails a cell when any imported src file has a type error under its own fixed options.
  const { status, output } = typecheck("tsconfig.tslab.json");
  assert.equal(status, 0, output);
});

test("every notebook's code typechecks as the tslab kernel compiles it", () => {
  const { status, output } = typecheckNotebooks(listNotebooks(join(PROJECT_ROOT, "notebooks")));
  assert.equal(status, 0, output);
});
