import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeNpy, encodeNpy, fortranToC, readNpy, writeNpy } from "../../src/io/npy.js";

test("npy round trip keeps dtype, shape and values; header is 64-byte aligned", () => {
  const data = new Float32Array([1.5, -2, 3.25, 4, 5, 6]);
  const bytes = encodeNpy({ data, shape: [2, 3] });
  const headerLength = new DataView(bytes.buffer).getUint16(8, true);
  assert.equal((10 + headerLength) % 64, 0);
  const back = decodeNpy(bytes);
  assert.deepEqual(back.shape, [2, 3]);
  assert.ok(back.data instanceof Float32Array);
  assert.deepEqual(Array.from(back.data), Array.from(data));
  const ints = decodeNpy(encodeNpy({ data: new Int32Array([7, -8, 9]), shape: [3] }));
  assert.ok(ints.data instanceof Int32Array);
  assert.deepEqual(Array.from(ints.data), [7, -8, 9]);
});

test("npy errors name the problem: shape mismatch, bad magic, truncation, unsupported dtype", () => {
  assert.throws(() => encodeNpy({ data: new Float32Array(5), shape: [2, 3] }), /shape \[2, 3\] holds 6 values but the data has 5/);
  assert.throws(() => decodeNpy(new Uint8Array(20), "x.npy"), /x\.npy: not a \.npy file/);
  const full = encodeNpy({ data: new Float64Array(10), shape: [10] });
  assert.throws(() => decodeNpy(full.subarray(0, full.length - 8), "cut.npy"), /cut\.npy: truncated/);
  const complex = full.slice();
  const at = new TextDecoder("latin1").decode(complex).indexOf("<f8");
  complex[at + 1] = "c".charCodeAt(0);
  assert.throws(() => decodeNpy(complex, "c.npy"), /dtype <c8 is not supported/);
});

test("numpy reads what we write and we read what numpy writes", (t) => {
  const probe = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" });
  if (probe.status !== 0) {
    t.skip("python3 with numpy not installed: cross-check skipped");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "optocnn-npy-"));
  try {
    writeNpy(join(dir, "ours.npy"), { data: new Float32Array([0, 1, 2, 3, 4, 5]), shape: [3, 2] });
    const script = `import numpy as np
a = np.load("${dir}/ours.npy")
assert a.dtype == np.float32 and a.shape == (3, 2) and a[2, 1] == 5, (a.dtype, a.shape)
np.save("${dir}/theirs.npy", np.arange(12, dtype=np.float64).reshape(2, 3, 2) * 0.5)`;
    writeFileSync(join(dir, "check.py"), script);
    const run = spawnSync("python3", [join(dir, "check.py")], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const theirs = readNpy(join(dir, "theirs.npy"));
    assert.deepEqual(theirs.shape, [2, 3, 2]);
    assert.equal(theirs.data[11], 5.5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a Fortran-ordered .npy (numpy.save of a transposed array) reads in C order, as numpy shows it", () => {
  // The 2 x 3 array [[0, 1, 2], [10, 11, 12]] stored column-major: 0, 10, 1, 11, 2, 12.
  const columnMajor = new Float32Array([0, 10, 1, 11, 2, 12]);
  const bytes = encodeNpy({ data: columnMajor, shape: [2, 3] });
  const text = new TextDecoder("latin1").decode(bytes);
  const at = text.indexOf("False");
  // "True " keeps the header length (and so the 64-byte alignment) unchanged.
  bytes.set(new TextEncoder().encode("True "), at);
  const back = decodeNpy(bytes, "f.npy");
  assert.deepEqual(back.shape, [2, 3]);
  assert.deepEqual(Array.from(back.data), [0, 1, 2, 10, 11, 12]);
  // Rank 3: element (i, j, k) sits at i + 2 (j + 3 k) in column-major storage.
  const shape = [2, 3, 4];
  const stored = new Int32Array(24);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) stored[i + 2 * (j + 3 * k)] = 100 * i + 10 * j + k;
  const rowMajor = Array.from(fortranToC(stored, shape));
  assert.deepEqual(rowMajor.slice(0, 5), [0, 1, 2, 3, 10]);
  assert.equal(rowMajor[23], 123);
});
