import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { initEngine } from "../../src/engine/backend.js";
import { disposeDirections, projectedNtk, randomDirections, type NetworkFunction } from "../../src/ntkd/ntk-estimator.js";

before(async () => {
  await initEngine();
});

/** A smooth tiny network: 3 inputs -> tanh(4) -> 2 outputs, 26 parameters, on 5 fixed inputs. */
function tinyNetwork(): { f: NetworkFunction; params: tf.Tensor[] } {
  const rng = (seed: number, shape: number[], scale: number) => tf.randomNormal(shape, 0, scale, "float32", seed);
  const params = [rng(1, [3, 4], 0.8), rng(2, [4], 0.3), rng(3, [4, 2], 0.8), rng(4, [2], 0.3)];
  const x = rng(5, [5, 3], 1);
  const f: NetworkFunction = (p) => tf.tidy(() => tf.matMul(tf.tanh(tf.matMul(x, p[0] as tf.Tensor2D).add(p[1])), p[2] as tf.Tensor2D).add(p[3]) as tf.Tensor2D);
  return { f, params };
}

/** K_ij = sum_c <df_ic/dtheta, df_jc/dtheta> from full per-(sample, class) gradients. */
function exactNtk(f: NetworkFunction, params: tf.Tensor[]): number[][] {
  const [n, C] = f(params).shape;
  const rows: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) {
      const grads = tf.grads((...p: tf.Tensor[]) => f(p).slice([i, c], [1, 1]).sum())(params);
      rows.push(Float32Array.from(grads.flatMap((g) => Array.from(g.dataSync()))));
      tf.dispose(grads);
    }
  }
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      let sum = 0;
      for (let c = 0; c < C; c++) rows[i * C + c].forEach((v, k) => (sum += v * rows[j * C + c][k]));
      return sum;
    }),
  );
}

function relativeError(estimate: number[][], exact: number[][]): number {
  let err = 0;
  let norm = 0;
  exact.forEach((row, i) => row.forEach((v, j) => ((err += (estimate[i][j] - v) ** 2), (norm += v * v))));
  return Math.sqrt(err / norm);
}

const shapesOf = (params: tf.Tensor[]) => params.map((p) => p.shape);

test("orthogonal directions spanning all 26 parameters give the exact NTK (up to the O(h^2) central difference)", () => {
  const { f, params } = tinyNetwork();
  const exact = exactNtk(f, params);
  const directions = randomDirections(shapesOf(params), 26, "orthogonal", 3);
  const estimate = projectedNtk(f, params, directions, 1e-3).arraySync();
  disposeDirections(directions);
  assert.ok(relativeError(estimate, exact) < 2e-3, `relative error ${relativeError(estimate, exact)}`);
  // More directions than parameters cannot be orthogonal.
  assert.throws(() => randomDirections(shapesOf(params), 27, "orthogonal", 3), /27 projections exceed the 26 parameters/);
});

test("Gaussian directions: unbiased, error shrinks like 1/sqrt(P) (seeded)", () => {
  const { f, params } = tinyNetwork();
  const exact = exactNtk(f, params);
  const errorWith = (projections: number, seed: number) => {
    const directions = randomDirections(shapesOf(params), projections, "gaussian", seed);
    const estimate = projectedNtk(f, params, directions, 1e-3).arraySync();
    disposeDirections(directions);
    return relativeError(estimate, exact);
  };
  // One Gaussian projection has relative error of order 1; 400 of them about 1/20 of that.
  const many = errorWith(400, 11);
  assert.ok(many < 0.2, `P = 400: relative error ${many}`);
  const few = [1, 2, 3, 4, 5].map((seed) => errorWith(4, seed));
  assert.ok(few.reduce((a, b) => a + b) / few.length > 2 * many, `P = 4 errors ${few} vs P = 400 ${many}`);
});

test("the estimate is symmetric and differentiable in the parameters (and constant in the output bias)", () => {
  const { f, params } = tinyNetwork();
  const directions = randomDirections(shapesOf(params), 3, "orthogonal", 5);
  const kernel = projectedNtk(f, params, directions, 1e-3).arraySync();
  kernel.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - kernel[j][i]) < 1e-5)));
  const grads = tf.grads((...p: tf.Tensor[]) => projectedNtk(f, p, directions, 1e-3).sum())(params);
  const largest = grads.map((g) => g.abs().max().dataSync()[0]);
  assert.ok(largest[0] > 0 && largest[1] > 0 && largest[2] > 0, `gradients ${largest}`);
  // The output bias shifts f(theta + h v) and f(theta - h v) alike: the NTK does not depend on it.
  assert.equal(largest[3], 0);
  disposeDirections(directions);
});
