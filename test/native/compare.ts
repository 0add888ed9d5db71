import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initEngine, type EngineInfo } from "../../src/engine/backend.js";

import { seededSigned as pseudoRandom } from "../seeded.js";

export { pseudoRandom };

export interface Operand {
  shape: number[];
  values: Float32Array;
}

export function operand(shape: number[], seed: number): Operand {
  return { shape, values: pseudoRandom(shape.reduce((a, b) => a * b, 1), seed) };
}

/** Runs `f` on fresh tensors of `inputs` with the given backend and returns every output's values. */
export async function runOn(backend: string, inputs: Operand[], f: (...t: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const tensors = inputs.map((i) => tf.tensor(i.values, i.shape));
  const out = f(...tensors);
  const outs = Array.isArray(out) ? out : [out];
  const values = await Promise.all(outs.map(async (t) => new Float32Array(await t.data())));
  tf.dispose([...tensors, ...outs]);
  return values;
}

/** Largest |a-b| / max(1, max|b|) over all outputs. */
function relativeError(actual: Float32Array[], expected: Float32Array[]): number {
  let worst = 0;
  actual.forEach((a, k) => {
    const e = expected[k];
    assert.equal(a.length, e.length, `output ${k} length`);
    let scale = 1;
    for (const v of e) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]) / scale);
  });
  return worst;
}

/**
 * Computes `f` on the engine under test (the wasm backend with whatever kernels initEngine registered)
 * and on tfjs' pure-JS cpu backend, and asserts they agree.
 */
export async function assertMatchesCpu(
  label: string,
  inputs: Operand[],
  f: (...t: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  tolerance = 2e-5,
): Promise<void> {
  const engine = await initEngine();
  const actual = await runOn(engine.backend, inputs, f);
  const expected = await runOn("cpu", inputs, f);
  await tf.setBackend(engine.backend);
  const error = relativeError(actual, expected);
  assert.ok(error <= tolerance, `${label}: ${engine.engine} differs from cpu by ${error.toExponential(2)} (relative), tolerance ${tolerance}`);
}

/** The engine under test, and why native kernels are not active when they are not. */
export async function engineUnderTest(): Promise<{ engine: EngineInfo; nativeSkip: string | null }> {
  const engine = await initEngine();
  if (engine.engine === "native") return { engine, nativeSkip: null };
  const why = engine.fallbacks.find((f) => f.startsWith("native")) ?? `OPTOCNN_ENGINE=${process.env.OPTOCNN_ENGINE ?? ""}`;
  return { engine, nativeSkip: `native addon not in use (engine ${engine.engine}): ${why}` };
}
