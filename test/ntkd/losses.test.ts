import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { initEngine } from "../../src/engine/backend.js";
import { kdLoss, ntkLoss, taskLoss } from "../../src/ntkd/losses.js";
import { disposeDirections, projectedNtk, randomDirections, type NetworkFunction } from "../../src/ntkd/ntk-estimator.js";

before(async () => {
  await initEngine();
});

const x = () => tf.randomNormal([6, 3], 0, 1, "float32", 21) as tf.Tensor2D;
/** Tiny smooth student (3 -> tanh 4 -> 3) and a fixed teacher of another width (3 -> tanh 5 -> 3). */
const mlp = (input: tf.Tensor2D): NetworkFunction => (p) =>
  tf.tidy(() => tf.matMul(tf.tanh(tf.matMul(input, p[0] as tf.Tensor2D).add(p[1])), p[2] as tf.Tensor2D).add(p[3]) as tf.Tensor2D);

test("NTKD loss gradient matches central finite differences on a tiny network", () => {
  const input = x();
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], "int32"), 3).toFloat() as tf.Tensor2D;
  const student = [[3, 4], [4], [4, 3], [3]].map((shape, i) => tf.randomNormal(shape, 0, 0.7, "float32", 30 + i));
  const teacher = [[3, 5], [5], [5, 3], [3]].map((shape, i) => tf.randomNormal(shape, 0, 0.7, "float32", 40 + i));
  const h = 1e-2;
  const teacherDirections = randomDirections(teacher.map((t) => t.shape), 3, "orthogonal", 1);
  const studentDirections = randomDirections(student.map((t) => t.shape), 3, "orthogonal", 2);
  const teacherKernel = projectedNtk(mlp(input), teacher, teacherDirections, h);
  const loss = (p: tf.Tensor[]) =>
    tf.tidy(() => taskLoss(mlp(input)(p), labels).mul(0.5).add(ntkLoss(teacherKernel, projectedNtk(mlp(input), p, studentDirections, h), true).mul(2)) as tf.Scalar);
  const grads = tf.grads((...p: tf.Tensor[]) => loss(p))(student);
  const eps = 1e-2;
  let checked = 0;
  for (const t of [0, 2]) {
    const analytic = grads[t].dataSync();
    const values = student[t].dataSync();
    for (const index of [0, 5, 7]) {
      const at = (delta: number) => {
        const moved = Float32Array.from(values);
        moved[index] += delta;
        const p = student.map((s, u) => (u === t ? tf.tensor(moved, s.shape) : s));
        return loss(p).dataSync()[0];
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      assert.ok(Math.abs(numeric - analytic[index]) <= 2e-2 * Math.abs(numeric) + 2e-4, `param ${t}[${index}]: finite difference ${numeric}, autodiff ${analytic[index]}`);
      checked++;
    }
  }
  assert.equal(checked, 6);
  disposeDirections(teacherDirections);
  disposeDirections(studentDirections);
});

test("NTK loss: zero for equal kernels, scale-free when normalised, the mean squared difference otherwise", () => {
  const k = tf.tensor2d([[2, 1], [1, 4]]);
  assert.equal(ntkLoss(k, k, false).dataSync()[0], 0);
  // Normalised by the mean diagonal (3): 10 K and K are the same shape.
  assert.ok(Math.abs(ntkLoss(k, k.mul(10) as tf.Tensor2D, true).dataSync()[0]) < 1e-6);
  // Unnormalised: mean((K - 0)^2) = (4 + 1 + 1 + 16) / 4.
  assert.ok(Math.abs(ntkLoss(k, tf.zeros([2, 2]) as tf.Tensor2D, false).dataSync()[0] - 5.5) < 1e-6);
});

test("KD loss: the task loss at weight 0; at weight 1 zero when the student copies the teacher, T^2 KL otherwise", () => {
  const student = tf.tensor2d([[1, 0, -1], [0.5, 0.2, 0]]);
  const teacher = tf.tensor2d([[2, 0, 0], [0, 1, 0]]);
  const labels = tf.tensor2d([[1, 0, 0], [0, 1, 0]]);
  const task = taskLoss(student, labels).dataSync()[0];
  assert.ok(Math.abs(kdLoss(student, teacher, labels, 4, 0).dataSync()[0] - task) < 1e-6);
  assert.ok(Math.abs(kdLoss(teacher, teacher, labels, 4, 1).dataSync()[0]) < 1e-6);
  // Hand computation at T = 1 for the first row only.
  const p = [Math.exp(2), 1, 1].map((v) => v / (Math.exp(2) + 2));
  const qz = Math.exp(1) + 1 + Math.exp(-1);
  const q = [Math.exp(1) / qz, 1 / qz, Math.exp(-1) / qz];
  const kl = p.reduce((a, pi, i) => a + pi * Math.log(pi / q[i]), 0);
  const got = kdLoss(student.slice([0, 0], [1, 3]) as tf.Tensor2D, teacher.slice([0, 0], [1, 3]) as tf.Tensor2D, labels.slice([0, 0], [1, 3]) as tf.Tensor2D, 1, 1).dataSync()[0];
  assert.ok(Math.abs(got - kl) < 1e-5, `${got} vs ${kl}`);
});
