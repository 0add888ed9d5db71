import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { PROJECT, runCli, type CliResult } from "./cli-harness.js";

/**
 * Kills real `train` (SIGTERM) and `synthesize` (SIGINT) processes mid-run and resumes them with the
 * same command: the results must equal an uninterrupted run's bit for bit. The signal goes 1.5 s after
 * the run directory is started; the stop is honoured at the next step boundary (a checkpoint at the
 * current step), so an early signal still interrupts at step >= 1. Interrupted and uninterrupted runs
 * go concurrently.
 */
const root = mkdtempSync(join(tmpdir(), "optocnn-interrupt-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Starts the CLI and sends `signal` 1.5 s after `started()` first holds (polled), returning its result. */
function runAndSignal(args: string[], started: () => boolean, signal: NodeJS.Signals): Promise<CliResult> {
  let startedAt = 0;
  const ready = () => (startedAt ||= started() ? Date.now() : 0) > 0 && Date.now() - startedAt >= 1500;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT, "bin", "optocnn.mjs"), ...args], { cwd: root, env: { ...process.env, OPTOCNN_QUIET: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const poll = setInterval(() => {
      if (ready()) {
        clearInterval(poll);
        child.kill(signal);
      }
    }, 50);
    child.on("error", reject);
    child.on("close", (code, sig) => {
      clearInterval(poll);
      resolve({ code, signal: sig, stdout, stderr });
    });
  });
}

/** Every .npy file of a folder (recursively), by relative path, as bytes. */
function npyFiles(dir: string, prefix = ""): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    if (name.isDirectory()) for (const [k, v] of npyFiles(join(dir, name.name), `${prefix}${name.name}/`)) files.set(k, v);
    else if (name.name.endsWith(".npy")) files.set(prefix + name.name, readFileSync(join(dir, name.name)));
  }
  return files;
}

function assertSameArrays(a: string, b: string): void {
  const left = npyFiles(a);
  const right = npyFiles(b);
  assert.deepEqual([...left.keys()].sort(), [...right.keys()].sort());
  for (const [name, bytes] of left) assert.ok(bytes.equals(right.get(name)!), `${name} differs between ${a} and ${b}`);
}

test("a train killed by SIGTERM and a synthesize killed by SIGINT resume to the uninterrupted results", { timeout: 900_000 }, async () => {
  const data = await runCli(["data", "synthetic", "--preset", "tiny", "--count", "40", "--out", "ds"], root);
  assert.equal(data.code, 0, data.stderr);
  const train = (out: string) => ["train", "--preset", "tiny", "--data", "ds", "--out", out, "--steps", "30"];
  const [whole, killed] = await Promise.all([
    runCli(train("whole"), root),
    runAndSignal(train("killed"), () => existsSync(join(root, "killed", "config.json")), "SIGTERM"),
  ]);
  assert.equal(whole.code, 0, whole.stderr);
  assert.equal(killed.code, 130, `SIGTERM: exit ${killed.code}\n${killed.stderr}`);
  assert.match(killed.stdout, /interrupted at step \d+; checkpoint written/);
  assert.ok(!existsSync(join(root, "killed", "summary.json")));
  const resumed = await runCli(train("killed"), root);
  assert.equal(resumed.code, 0, resumed.stderr);
  assertSameArrays(join(root, "whole", "weights"), join(root, "killed", "weights"));
  const metrics = (dir: string) => (JSON.parse(readFileSync(join(root, dir, "summary.json"), "utf8")) as { test: unknown }).test;
  assert.deepEqual(metrics("killed"), metrics("whole"));

  const synthesize = (out: string) => ["synthesize", "--preset", "tiny", "--run", "whole", "--data", "ds", "--out", out, "--steps", "20", "--test-limit", "4"];
  const [wholeDko, killedDko] = await Promise.all([
    runCli(synthesize("dko-whole"), root),
    runAndSignal(synthesize("dko-killed"), () => existsSync(join(root, "dko-killed", "provenance.json")), "SIGINT"),
  ]);
  assert.ok(wholeDko.code === 0 || wholeDko.code === 2, wholeDko.stderr);
  assert.equal(killedDko.code, 130, `SIGINT: exit ${killedDko.code}\n${killedDko.stderr}`);
  assert.match(killedDko.stdout, /interrupted at synthesis step \d+; checkpoint written/);
  const resumedDko = await runCli(synthesize("dko-killed"), root);
  assert.equal(resumedDko.code, wholeDko.code, resumedDko.stderr);
  assert.ok(!existsSync(join(root, "dko-killed", "synthesis-checkpoint")), "the checkpoint is removed once the result is written");
  assertSameArrays(join(root, "dko-whole"), join(root, "dko-killed"));
});
