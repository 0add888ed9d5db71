import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { EngineInfo } from "../../src/engine/backend.js";

const backendModule = fileURLToPath(new URL("../../src/engine/backend.ts", import.meta.url));

/** Engine selection happens once per process, so each case runs initEngine in a fresh node. */
function selectInChild(env: Record<string, string | undefined>) {
  const script =
    "const { initEngine } = await import(process.argv[1]);" +
    "const info = await initEngine();" +
    "const again = await initEngine();" +
    "if (again !== info) throw new Error('initEngine chose twice');" +
    "process.stdout.write(JSON.stringify(info));";
  const childEnv = { ...process.env, OPTOCNN_ENGINE: undefined, OPTOCNN_QUIET: undefined, ...env };
  const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, backendModule], {
    env: Object.fromEntries(Object.entries(childEnv).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
    encoding: "utf8",
    timeout: 60_000,
  });
  const info = result.status === 0 ? (JSON.parse(result.stdout) as EngineInfo) : null;
  return { status: result.status, stderr: result.stderr, info };
}

test("OPTOCNN_ENGINE=wasm forces the wasm engine with optocnn's kernels and says so once", () => {
  const { status, stderr, info } = selectInChild({ OPTOCNN_ENGINE: "wasm" });
  assert.equal(status, 0, stderr);
  assert.equal(info?.engine, "wasm");
  assert.equal(info?.backend, "wasm");
  assert.equal(info?.forced, true);
  assert.deepEqual(info?.nativeKernels, []);
  assert.ok(info?.wasmKernels.includes("Conv2DBackpropFilter"));
  assert.equal(info?.threads, 1, "the wasm backend's threaded build does not run in Node");
  assert.equal(typeof info?.simd, "boolean");
  assert.equal(stderr.match(/optocnn: engine wasm/g)?.length, 1, stderr);
});

test("OPTOCNN_ENGINE=cpu forces the cpu engine", () => {
  const { status, stderr, info } = selectInChild({ OPTOCNN_ENGINE: "cpu" });
  assert.equal(status, 0, stderr);
  assert.equal(info?.engine, "cpu");
  assert.equal(info?.backend, "cpu");
  assert.equal(info?.simd, null);
  assert.match(stderr, /optocnn: engine cpu/);
});

test("OPTOCNN_QUIET=1 silences the engine line", () => {
  const { status, stderr, info } = selectInChild({ OPTOCNN_ENGINE: "wasm", OPTOCNN_QUIET: "1" });
  assert.equal(status, 0, stderr);
  assert.equal(info?.engine, "wasm");
  assert.doesNotMatch(stderr, /optocnn:/);
});

test("an unknown OPTOCNN_ENGINE fails naming the variable and the valid values", () => {
  const { status, stderr } = selectInChild({ OPTOCNN_ENGINE: "gpu" });
  assert.notEqual(status, 0);
  assert.match(stderr, /OPTOCNN_ENGINE='gpu' is not an engine; use one of node, native, wasm, cpu/);
});

test("a forced engine that cannot start is an error, never a silent fallback", () => {
  // tfjs-node is an optional dependency that cannot install offline; where it is present it must be used.
  const { status, stderr, info } = selectInChild({ OPTOCNN_ENGINE: "node" });
  if (status === 0) {
    assert.equal(info?.engine, "node");
  } else {
    assert.match(stderr, /OPTOCNN_ENGINE=node cannot be used: .*Install @tensorflow\/tfjs-node/);
  }
});

test("automatic choice never lands on cpu when wasm works and records why faster engines were skipped", () => {
  const { status, stderr, info } = selectInChild({});
  assert.equal(status, 0, stderr);
  assert.ok(info?.engine === "native" || info?.engine === "wasm" || info?.engine === "node", `engine ${info?.engine}`);
  assert.equal(info?.forced, false);
  if (info?.engine === "wasm") {
    assert.ok(info.fallbacks.some((line) => line.startsWith("native: ")), info.fallbacks.join("\n"));
  }
  if (info?.engine === "native") assert.ok(info.nativeKernels.length > 0);
});
