import assert from "node:assert/strict";
import { test } from "node:test";
import { BoundedMemo } from "../../src/util/bounded-memo.js";

test("BoundedMemo makes a value once per key and drops the least recently used past its capacity", () => {
  const memo = new BoundedMemo<{ key: string }>(2);
  const made: string[] = [];
  const get = (key: string) => memo.get(key, () => (made.push(key), { key }));
  const a = get("a");
  assert.equal(get("a"), a, "the same object for the same key");
  get("b");
  get("a"); // a is now the most recently used: c evicts b
  get("c");
  assert.equal(memo.size, 2);
  assert.equal(get("a"), a);
  get("b");
  assert.deepEqual(made, ["a", "b", "c", "b"]);
  assert.throws(() => new BoundedMemo(0), /capacity must be a positive integer, got 0/);
});
