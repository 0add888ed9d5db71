import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { formatError } from "../../src/cli/errors.js";
import { checkBatchFits, parseOptions } from "../../src/cli/options.js";
import { MICROMETRES, NANOMETRES, quantity, quantityList, rangeMessage } from "../../src/cli/units.js";

const systemError = (code: string, message: string, path: string) => Object.assign(new Error(message), { code, path });

test("formatError: operating-system errors in words with the path, no errno code", () => {
  assert.equal(formatError(systemError("EISDIR", "EISDIR: illegal operation on a directory, open 'out'", "out")), "out is a directory where a file was expected; give a file path");
  assert.match(formatError(systemError("EPERM", "EPERM: operation not permitted, open '/x/a.npy'", "/x/a.npy")), /^\/x\/a\.npy: the operating system does not allow/);
  assert.match(formatError(systemError("ENOTDIR", "ENOTDIR: not a directory, mkdir 'f/x'", "f/x")), /^f\/x: a part of this path is a file/);
  assert.match(formatError(systemError("EEXIST", "EEXIST: file already exists, mkdir 'd'", "d")), /^d already exists; choose another path$/);
  // An errno fragment inside a wrapped message is rewritten too; a rename names its destination.
  assert.equal(formatError(new Error("p.npy: cannot read .npy file (ENOENT: no such file or directory, open 'p.npy')")), "p.npy: cannot read .npy file (p.npy does not exist; check the path)");
  assert.equal(formatError(systemError("EISDIR", "EISDIR: illegal operation on a directory, rename '.t.tmp' -> 'ds'", ".t.tmp")), ".t.tmp is a directory where a file was expected; give a file path");
  assert.match(formatError(new Error("x (EISDIR: illegal operation on a directory, rename '.t.tmp' -> 'ds')")), /\(ds is a directory/);
});

test("formatError: JSON parse positions dropped, zod issues one line each, internal method and field names replaced", () => {
  let parseError: unknown;
  try {
    JSON.parse('{"a": ');
  } catch (error) {
    parseError = error;
  }
  const json = formatError(parseError);
  assert.match(json, /^a file is not valid JSON/);
  assert.doesNotMatch(json, /position \d/);
  const zod = z.object({ inputHeight: z.number().int("must be a whole number") }).safeParse({ inputHeight: 2.5 });
  assert.ok(!zod.success);
  assert.equal(formatError(zod.error), "invalid settings:\n  inputHeight: must be a whole number");
  assert.equal(formatError(new Error("asm: too far; use more padding, fresnel-ir or lens-focus")), "asm: too far; use more padding, --method fresnel or --method fraunhofer");
  assert.equal(formatError(new Error("outputCoordinates_m spacing must be positive")), "output sample pitch must be positive");
});

test("unit hints stay in the flag's unit: a factor-1000 slip is named, other values only get the range", () => {
  assert.equal(rangeMessage(0.64, NANOMETRES(200, 2000)), "is in nanometres (200..2000), e.g. 550; got 0.64, which looks like micrometres: give 640");
  assert.equal(rangeMessage(1e-6, MICROMETRES(0.01, 100)), "is in micrometres (0.01..100), e.g. 2.5; got 0.000001");
  assert.equal(rangeMessage(2740, MICROMETRES(0.01, 100)), "is in micrometres (0.01..100), e.g. 2.5; got 2740, which looks like nanometres: give 2.74");
  const schema = z.object({ sensorPitchUm: quantity(MICROMETRES(0.01, 100)), wavelengthsNm: quantityList(NANOMETRES(200, 2000), 3, "R,G,B") });
  assert.deepEqual(parseOptions(schema, { sensorPitchUm: "2.74", wavelengthsNm: "640, 550,460" }), { sensorPitchUm: 2.74, wavelengthsNm: [640, 550, 460] });
  assert.throws(() => parseOptions(schema, { sensorPitchUm: "abc", wavelengthsNm: "640,550,x" }), (error: Error) => {
    assert.match(error.message, /--sensor-pitch-um: must be a number in micrometres/);
    assert.match(error.message, /--wavelengths-nm: must be 3 numbers in nanometres separated by commas \(R,G,B\), got "640,550,x"/);
    assert.doesNotMatch(error.message, /metres \(e\.g\./);
    return true;
  });
});

test("a batch larger than the training split names where the batch size came from and the fix", () => {
  assert.doesNotThrow(() => checkBatchFits(16, 16, "ds", { flag: "--batch-size" }));
  assert.throws(() => checkBatchFits(17, 16, "ds", { flag: "--batch-size" }), /^Error: --batch-size 17 exceeds the 16 training samples of --data ds; give --batch-size 16 or less/);
  assert.throws(() => checkBatchFits(8, 6, "ds", { preset: "default", hasFlag: true }), /the default preset's batch size 8 exceeds .*; pass --batch-size 6 or less, or use a data set with at least 8 training samples/);
  // A command without --batch-size (e2e) must not suggest it.
  assert.throws(() => checkBatchFits(8, 6, "ds", { preset: "default", hasFlag: false }), (error: Error) => !/--batch-size/.test(error.message) && /use a data set with at least 8/.test(error.message));
  assert.throws(() => checkBatchFits(8, 6, "ds", { run: "run/config.json" }), /the run's batch size 8 \(run\/config\.json\) exceeds .*resume on the data set the run was trained on/);
});
