import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerWasmKernels } from "../../src/engine/wasm-kernels/index.js";

/** Puts the wasm backend with optocnn's wasm kernels (not native ones) and the cpu reference in place. */
export async function setUpBackends(): Promise<void> {
  assert.equal(await tf.setBackend("wasm"), true, "wasm backend must start");
  registerWasmKernels();
  assert.equal(await tf.setBackend("cpu"), true, "cpu backend must start");
}

export { seededSigned as seededValues } from "../seeded.js";

/** Runs `compute` on the named backend and returns every output's values. */
export async function runOn(backendName: "cpu" | "wasm", compute: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backendName);
  const outputs = tf.tidy(compute);
  const list = Array.isArray(outputs) ? outputs : [outputs];
  const values = await Promise.all(list.map(async (t) => new Float32Array(await t.data())));
  tf.dispose(list);
  return values;
}

/**
 * Asserts |wasm - cpu| <= relTol * max|cpu| + absTol element-wise (relative to the output's scale, since
 * single elements of a gradient can be sums that cancel to ~0).
 */
export function assertClose(actual: Float32Array, expected: Float32Array, label: string, relTol = 1e-4, absTol = 1e-6): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  assert.ok(scale > 0, `${label}: reference is all zeros, the comparison would prove nothing`);
  let worst = 0;
  let worstIndex = 0;
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]);
    if (!(error <= worst)) {
      worst = error;
      worstIndex = i;
    }
  }
  assert.ok(
    worst <= relTol * scale + absTol,
    `${label}: element ${worstIndex} wasm ${actual[worstIndex]} vs cpu ${expected[worstIndex]} (scale ${scale})`,
  );
}
