// The fallback guarantee: everything that runs on native kernels or native optics must also be
// correct on plain wasm and the TypeScript optics. Engine selection happens once per process, so the
// engine-dependent test files run again in a child with OPTOCNN_ENGINE=wasm.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const ENGINE_DEPENDENT = ["test/native", "test/optics", "test/train", "test/models"];
const ENGINE_TESTS = ["test/engine/training-ops.test.ts", "test/engine/training-step.test.ts", "test/engine/wasm-kernels.test.ts"];

function engineDependentFiles(): string[] {
  const files = ENGINE_DEPENDENT.flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => `${dir}/${f}`),
  );
  return [...files, ...ENGINE_TESTS].sort();
}

/** This environment on wasm, without NODE_TEST_CONTEXT (with it, the child would report to this runner, not in TAP). */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPTOCNN_ENGINE: "wasm", OPTOCNN_QUIET: "1" };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

test("the engine-dependent tests pass under OPTOCNN_ENGINE=wasm (plain wasm, TypeScript optics)", { skip: process.env.OPTOCNN_ENGINE === "wasm" && "already on wasm" }, () => {
  const files = engineDependentFiles();
  const run = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", ...files], {
    cwd: root,
    env: childEnv(),
    encoding: "utf8",
    timeout: 10 * 60_000,
  });
  const summary = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(run.stdout)?.[1]);
  const failures = run.stdout.split("\n").filter((line) => line.startsWith("not ok")).join("\n");
  assert.equal(run.status, 0, `wasm run failed:\n${failures}\n${run.stderr.split("\n").slice(-20).join("\n")}`);
  assert.equal(summary("fail"), 0, failures);
  assert.ok(summary("pass") >= files.length, `expected at least one passing test per file, got ${summary("pass")} for ${files.length} files`);
});
