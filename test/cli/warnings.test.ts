import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { recordWarnings } from "../../src/io/json-file.js";
import { runCli } from "./cli-harness.js";

/**
 * What a command prints as a warning is recorded, word for word, in the `warnings` list of the output
 * file it concerns, so a result read later (by a notebook, by another person) carries it.
 */
const root = mkdtempSync(join(tmpdir(), "optocnn-warnings-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** The warnings a command printed on stderr ("optocnn <command>: warning: ..."), in order. */
function printedWarnings(stderr: string, command: string): string[] {
  const prefix = `optocnn ${command}: warning: `;
  return stderr.split("\n").filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length));
}

const recorded = (file: string) => (JSON.parse(readFileSync(join(root, file), "utf8")) as { warnings?: string[] }).warnings;

test("recordWarnings replaces the list and keeps every other field; a file that is not a JSON object is refused by name", () => {
  const path = join(root, "summary.json");
  writeFileSync(path, JSON.stringify({ format: "x/1", value: 2, warnings: ["old"] }));
  recordWarnings(path, ["new"]);
  assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { format: "x/1", value: 2, warnings: ["new"] });
  writeFileSync(join(root, "list.json"), "[1]");
  assert.throws(() => recordWarnings(join(root, "list.json"), ["w"]), /list\.json: expected a JSON object/);
  assert.throws(() => recordWarnings(join(root, "absent.json"), ["w"]), /absent\.json: cannot read the output file \(it does not exist\)/);
});

test("synthesize and e2e record the warnings they print in their summaries", { timeout: 300_000 }, async () => {
  const data = await runCli(["data", "synthetic", "--preset", "tiny", "--count", "20", "--out", "ds"], root);
  assert.equal(data.code, 0, data.stderr);
  const train = await runCli(["train", "--preset", "tiny", "--data", "ds", "--out", "run", "--steps", "2"], root);
  assert.equal(train.code, 0, train.stderr);

  // --fab-draws without a fabrication error always warns; 3 synthesis steps also leave a poor fit.
  const synthesize = await runCli(["synthesize", "--preset", "tiny", "--run", "run", "--data", "ds", "--out", "dko", "--steps", "3", "--test-limit", "2", "--fab-draws", "2"], root);
  assert.ok(synthesize.code === 0 || synthesize.code === 2, synthesize.stderr);
  const printed = printedWarnings(synthesize.stderr, "synthesize");
  assert.ok(printed.some((w) => w.startsWith("--fab-draws has no effect")), synthesize.stderr);
  assert.deepEqual(recorded("dko/summary.json"), printed);
  // A reused result prints and records the same list again (not twice).
  const again = await runCli(["synthesize", "--preset", "tiny", "--run", "run", "--data", "ds", "--out", "dko", "--steps", "3", "--test-limit", "2", "--fab-draws", "2"], root);
  assert.match(again.stdout, /already holds this DKO result/);
  assert.deepEqual(printedWarnings(again.stderr, "synthesize"), printed);
  assert.deepEqual(recorded("dko/summary.json"), printed);

  const e2e = await runCli(["e2e", "--preset", "tiny", "--stage1", "run", "--data", "ds", "--out", "e2e", "--steps", "2"], root);
  assert.equal(e2e.code, 0, e2e.stderr);
  assert.deepEqual(recorded("e2e/e2e-summary.json"), printedWarnings(e2e.stderr, "e2e"));
});
