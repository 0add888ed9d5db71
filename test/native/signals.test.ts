// Signals must not corrupt the native engine's work: Debian's oneDNN 2.6 points the stack pointer into the
// heap inside its JIT GEMM kernels (native/src/signals_held.h), and Node handles SIGINT, SIGTERM (the
// CLI's checkpoint-and-stop), SIGWINCH and SIGPROF. A child process runs the window transform while a
// worker floods it with SIGUSR2; without the signals held around addon calls it aborted in glibc within a
// second on a Xeon with AVX-512 (a standalone C++ loop of dnnl_sgemm with any SIGPROF handler did too).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { addonSkip } from "./addon-under-test.js";

const storm = join(fileURLToPath(new URL(".", import.meta.url)), "signal-storm.ts");

test("the window transform under a flood of signals: the process survives and every call gives the first call's window", { skip: addonSkip() }, () => {
  // The addon is what is tested, whichever engine this run selected (test/engine/wasm-fallback.test.ts reruns this file on wasm).
  const env = { ...process.env };
  delete env.OPTOCNN_ENGINE;
  const child = spawnSync(process.execPath, ["--import", "tsx", storm, "3"], { encoding: "utf8", timeout: 120_000, env });
  assert.equal(child.status, 0, `the child ended with status ${child.status}, signal ${child.signal}: ${child.stderr.slice(-500)}`);
  const { calls, handled, maxDifference } = JSON.parse(child.stdout.trim().split("\n").at(-1)!);
  assert.ok(calls >= 10, `only ${calls} transform calls ran`);
  assert.ok(handled >= 100, `only ${handled} signals reached the child's handler: the test would not have tested anything`);
  assert.equal(maxDifference, 0, "a window differed from the first call's");
});
