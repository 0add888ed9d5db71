// Native kernels address tensors inside the wasm heap; growing that heap detaches the old buffer, so
// every call must take the heap view afresh. Here tensors made before a growth feed a kernel after it.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { engineUnderTest, operand } from "./compare.js";

process.env.OPTOCNN_QUIET ??= "1";

interface HeapView {
  wasm: { HEAPU8: Uint8Array };
}

test("native conv reads tensors written before wasm memory grew and writes after", async (t) => {
  const { nativeSkip } = await engineUnderTest();
  if (nativeSkip) return t.skip(nativeSkip);
  const backend = tf.backend() as unknown as HeapView;
  const xOp = operand([2, 17, 15, 16], 40);
  const wOp = operand([3, 3, 16, 32], 41);
  const x = tf.tensor4d(xOp.values, [2, 17, 15, 16]);
  const w = tf.tensor4d(wOp.values, [3, 3, 16, 32]);
  const before = tf.conv2d(x, w, 2, "same");
  const expected = await before.data();

  const oldBuffer = backend.wasm.HEAPU8.buffer;
  const oldBytes = oldBuffer.byteLength;
  // A tensor larger than the whole current heap forces the allocator to grow wasm memory.
  const filler = tf.zeros([Math.ceil(oldBytes / 4) + 1024]);
  assert.ok(backend.wasm.HEAPU8.buffer.byteLength > oldBytes, "wasm memory did not grow");
  assert.equal(oldBuffer.byteLength, 0, "the pre-growth ArrayBuffer should be detached");

  const after = tf.conv2d(x, w, 2, "same");
  assert.deepEqual(Array.from(await after.data()), Array.from(expected));
  tf.dispose([x, w, before, after, filler]);
});
