import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { PROJECT, runCli, type CliResult } from "./cli-harness.js";

/**
 * Kills real `train` (SIGTERM), `synthesize` (SIGINT; SIGTERM in its back-end fine-tune) and `ntkd`
 * (SIGTERM) processes mid-run and resumes them with the same command: the results must equal an
 * uninterrupted run's bit for bit. The signal goes 1.5 s after the run directory is started (ntkd: as
 * soon as its first seed is saved; the fine-tune: as soon as it starts); the stop is
 * honoured at the next step boundary (a checkpoint at the current step), so an early signal still
 * interrupts at step >= 1. Interrupted and uninterrupted runs go concurrently.
 */
const root = mkdtempSync(join(tmpdir(), "optocnn-interrupt-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Starts the CLI and sends `signal` `delayMs` after `started()` first holds (polled), returning its result. */
function runAndSignal(args: string[], started: () => boolean, signal: NodeJS.Signals, delayMs = 1500): Promise<CliResult> {
  let startedAt = 0;
  const ready = () => (startedAt ||= started() ? Date.now() : 0) > 0 && Date.now() - startedAt >= delayMs;
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
  const train = (out: string) => ["train", "--preset", "tiny", "--data", "ds", "--out", out, "--steps", "60"];
  // Mid-run, whatever the machine's speed: once the first validation (step 20 of 60) is in metrics.csv.
  const validated = (dir: string) => existsSync(join(root, dir, "metrics.csv")) && readFileSync(join(root, dir, "metrics.csv"), "utf8").trim().split("\n").length >= 2;
  const [whole, killed] = await Promise.all([
    runCli(train("whole"), root),
    runAndSignal(train("killed"), () => validated("killed"), "SIGTERM", 0),
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
    // At once: a tiny synthesis of 20 steps can end within a second, and a signal after it lands in the scoring.
    runAndSignal(synthesize("dko-killed"), () => existsSync(join(root, "dko-killed", "provenance.json")), "SIGINT", 0),
  ]);
  assert.ok(wholeDko.code === 0 || wholeDko.code === 2, wholeDko.stderr);
  assert.equal(killedDko.code, 130, `SIGINT: exit ${killedDko.code}\n${killedDko.stderr}`);
  assert.match(killedDko.stdout, /interrupted at synthesis step \d+; checkpoint written/);
  const resumedDko = await runCli(synthesize("dko-killed"), root);
  assert.equal(resumedDko.code, wholeDko.code, resumedDko.stderr);
  assert.ok(!existsSync(join(root, "dko-killed", "synthesis-checkpoint")), "the checkpoint is removed once the result is written");
  assertSameArrays(join(root, "dko-whole"), join(root, "dko-killed"));
});

/** A value with every `seconds` and `wallSeconds` field removed (timings differ between processes). */
function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([key]) => !/^(seconds|wallSeconds|phaseSeconds|phaseCpuSeconds)$/.test(key)).map(([key, v]) => [key, withoutTimings(v)]));
  }
  return value;
}

test("an ntkd killed by SIGTERM keeps its finished seed and the rerun resumes to the uninterrupted result", { timeout: 600_000 }, async () => {
  // Two seeds so that one is finished when the signal comes; small limits keep it near 20 s of CPU per run.
  const ntkd = (out: string) => ["ntkd", "--preset", "tiny", "--out", out, "--seeds", "0,1", "--steps", "5", "--train-limit", "300", "--test-limit", "100", "--no-figures"];
  const [whole, killed] = await Promise.all([
    runCli(ntkd("ntkd-whole"), root),
    runAndSignal(ntkd("ntkd-killed"), () => existsSync(join(root, "ntkd-killed", "mnist", "seed-0.json")), "SIGTERM", 0),
  ]);
  assert.equal(whole.code, 0, whole.stderr);
  assert.equal(killed.code, 130, `SIGTERM: exit ${killed.code}\n${killed.stderr}`);
  assert.match(killed.stdout, /interrupted in mnist seed 1; kept in ntkd-killed: mnist estimate, mnist seed 0\. .* holds no summary\.json until the run finishes/);
  assert.ok(!existsSync(join(root, "ntkd-killed", "summary.json")), "no summary for an unfinished run");

  const resumed = await runCli(ntkd("ntkd-killed"), root);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /ntkd: resumed: mnist estimate from .*estimate\.json/);
  assert.match(resumed.stderr, /ntkd: resumed: mnist seed 0 from .*seed-0\.json/);
  assert.doesNotMatch(resumed.stderr, /mnist seed 0 teacher/, "the finished seed is not trained again");
  const summary = (dir: string) => JSON.parse(readFileSync(join(root, dir, "summary.json"), "utf8")) as { datasets: unknown; resumed: string[] };
  assert.deepEqual(summary("ntkd-killed").resumed, ["mnist estimate", "mnist seed 0"]);
  assert.deepEqual(summary("ntkd-whole").resumed, []);
  // Every accuracy, confusion matrix, estimate and fabrication figure equals the uninterrupted run's.
  assert.deepEqual(withoutTimings(summary("ntkd-killed").datasets), withoutTimings(summary("ntkd-whole").datasets));
  assertSameArrays(join(root, "ntkd-whole"), join(root, "ntkd-killed"));
});

test("a synthesize killed by SIGTERM in its back-end fine-tune keeps the synthesis checkpoint and resumes the fine-tune to the uninterrupted result", { timeout: 600_000 }, async () => {
  const data = await runCli(["data", "synthetic", "--preset", "tiny", "--count", "20", "--out", "ft-ds"], root);
  assert.equal(data.code, 0, data.stderr);
  const train = await runCli(["train", "--preset", "tiny", "--data", "ft-ds", "--out", "ft-run", "--steps", "2"], root);
  assert.equal(train.code, 0, train.stderr);
  const synthesize = (out: string) => ["synthesize", "--preset", "tiny", "--run", "ft-run", "--data", "ft-ds", "--out", out, "--steps", "10", "--test-limit", "4", "--finetune-steps", "30"];
  const [whole, killed] = await Promise.all([
    runCli(synthesize("ft-whole"), root),
    runAndSignal(synthesize("ft-killed"), () => existsSync(join(root, "ft-killed", "finetune", "config.json")), "SIGTERM", 0),
  ]);
  assert.ok(whole.code === 0 || whole.code === 2, whole.stderr);
  assert.equal(killed.code, 130, `SIGTERM: exit ${killed.code}\n${killed.stderr}`);
  assert.match(killed.stderr, /SIGTERM: stopping after this fine-tune step and writing a checkpoint/);
  assert.match(killed.stdout, /interrupted at back-end fine-tune step \d+; checkpoint written in ft-killed, which holds no summary\.json/);
  assert.ok(!existsSync(join(root, "ft-killed", "summary.json")), "not mistaken for a finished result");
  // One checkpoint per chunk of metasurfaces (src/dko/run.ts); the resumed result below shows they are usable.
  assert.ok(existsSync(join(root, "ft-killed", "synthesis-checkpoint", "chunk-0", "synthesis-checkpoint", "state.json")), "the synthesis checkpoint is kept");

  const resumed = await runCli(synthesize("ft-killed"), root);
  assert.equal(resumed.code, whole.code, resumed.stderr);
  const finetune = (dir: string) => (JSON.parse(readFileSync(join(root, dir, "summary.json"), "utf8")) as { metrics: { finetune: unknown } }).metrics.finetune;
  const { runDir: wholeRunDir, ...wholeFinetune } = finetune("ft-whole") as { runDir: string };
  const { runDir: killedRunDir, ...killedFinetune } = finetune("ft-killed") as { runDir: string };
  assert.deepEqual([wholeRunDir, killedRunDir].map((d) => d.replace(/.*\//, "")), ["finetune", "finetune"]);
  assert.deepEqual(killedFinetune, wholeFinetune);
  assertSameArrays(join(root, "ft-whole"), join(root, "ft-killed"));
});
