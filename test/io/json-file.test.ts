import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { unitFiles } from "../../src/io/json-file.js";

const dir = mkdtempSync(join(tmpdir(), "optocnn-json-file-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a saved unit is read back only under its format and settings; a missing or damaged one reads as null", () => {
  const path = join(dir, "seed-0.json");
  const units = unitFiles("test-unit/1", { steps: 5, seeds: [0, 1] });
  assert.equal(units.read(path), null);
  units.write(path, { accuracy: 0.5 });
  assert.deepEqual(units.read(path), { accuracy: 0.5 });
  // Settings that differ in any field, or another format, never take it.
  assert.equal(unitFiles("test-unit/1", { steps: 6, seeds: [0, 1] }).read(path), null);
  assert.equal(unitFiles("test-unit/2", { steps: 5, seeds: [0, 1] }).read(path), null);
  writeFileSync(path, readFileSync(path, "utf8").slice(0, 20));
  assert.equal(units.read(path), null);
});
