// largeFloat32Array: zeroed arrays whose memory the addon asks Linux to back with 2 MB pages.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { nativeComplexRefusal } from "../../src/engine/engine-choice.js";
import { largeCopy, largeFloat32Array } from "../../src/engine/large-array.js";
import { loadNativeAddon } from "../../src/engine/native/addon.js";

const MODE_FILE = "/sys/kernel/mm/transparent_hugepage/enabled";
const anonHugePages_kB = () => Number(/AnonHugePages:\s+(\d+)/.exec(readFileSync("/proc/self/smaps_rollup", "utf8"))?.[1] ?? NaN);

test("largeFloat32Array is zeroed and largeCopy copies", () => {
  const small = largeFloat32Array(5);
  assert.deepEqual([...small], [0, 0, 0, 0, 0]);
  const source = Float32Array.from({ length: 3 << 20 }, (_, i) => i % 7);
  const copy = largeCopy(source);
  assert.equal(copy.length, source.length);
  assert.ok(copy.every((v, i) => v === source[i]));
  assert.notEqual(copy.buffer, source.buffer);
});

test("a large array gets huge pages where a plain one does not (THP in madvise mode)", (t) => {
  if (!existsSync("/proc/self/smaps_rollup") || !existsSync(MODE_FILE)) return t.skip("not Linux with transparent huge pages");
  if (!readFileSync(MODE_FILE, "utf8").includes("[madvise]")) return t.skip("THP is not in madvise mode, where only advised memory gets huge pages");
  if (/hugetlb/.test(process.env.GLIBC_TUNABLES ?? "")) return t.skip("GLIBC_TUNABLES asks malloc for huge pages everywhere");
  if (!loadNativeAddon().ok) return t.skip("native addon not built");
  if (nativeComplexRefusal()) return t.skip("OPTOCNN_ENGINE keeps the optics off native code");
  const length = 16 << 20; // 64 MB
  const before = anonHugePages_kB();
  const plain = new Float32Array(length).fill(1);
  const afterPlain = anonHugePages_kB();
  const advised = largeFloat32Array(length).fill(1);
  const afterAdvised = anonHugePages_kB();
  assert.ok(afterPlain - before < 4096, `a plain array got ${afterPlain - before} kB of huge pages`);
  // The kernel may fall back to 4 KB pages when it has no free 2 MB ones: ask for a quarter of the 64 MB.
  assert.ok(afterAdvised - afterPlain >= 16384, `the advised array got ${afterAdvised - afterPlain} kB of huge pages`);
  assert.equal(plain[length - 1] + advised[length - 1], 2);
});
