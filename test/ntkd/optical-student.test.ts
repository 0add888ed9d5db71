import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { initEngine } from "../../src/engine/backend.js";
import { initComplexOps } from "../../src/engine/complex/select.js";
import { presetNtkdConfig as ntkdConfig } from "../../src/pipeline/preset-configs.js";
import { predict } from "../../src/ntkd/networks.js";
import { OpticalStudent, subImageKernels, wrapPhase } from "../../src/ntkd/optical-student.js";
import { psfsToKernels } from "../../src/optics/kernels.js";

before(async () => {
  await initEngine();
  await initComplexOps();
});

test("the student's optical features equal a convolution with psfsToKernels of its PSFs (same flip, crop and signs as DKO)", () => {
  const config = ntkdConfig("tiny");
  const student = new OpticalStudent(config.optics, config.student, 3);
  const { kernelSize: k, kernels: K } = config.student;
  const M = student.bank.windowPixels;
  const psfs = student.model.forward(Float32Array.from(student.phases.dataSync()));
  const scales = Float32Array.from({ length: 2 * K }, (_, b) => 0.5 + b);
  const weights = psfsToKernels(student.bank.windows(psfs), scales, { kernelSize: k, inChannels: 1, outChannels: K });
  const images = tf.randomUniform([2, 28, 28, 1], 0, 1, "float32", 4) as tf.Tensor4D;
  const expected = tf.conv2d(images, tf.tensor4d(weights, [k, k, 1, K]), 1, "same").dataSync();
  const sub = subImageKernels(tf.tensor3d(psfs, [2 * K, M, M]), k);
  const got = student.features(images, sub, tf.tensor1d(scales)).dataSync();
  let worst = 0;
  expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - got[i]))));
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
  // Read noise of std sigma adds exactly that spread to every sub-image (here through unit gains on one sign).
  const ones = tf.tensor1d(Float32Array.from({ length: 2 * K }, (_, b) => (b < K ? 1 : 0)));
  const clean = student.features(images, sub, ones);
  const noisy = student.features(images, sub, ones, { std: 0.05, seed: 9 });
  const spread = tf.moments(noisy.sub(clean)).variance.sqrt().dataSync()[0];
  assert.ok(Math.abs(spread - 0.05) < 0.005, `noise std ${spread}`);
  student.dispose();
});

test("behind its own fixed optics the student is the same network as trained (what the fabrication study's design is)", () => {
  const config = ntkdConfig("tiny");
  const student = new OpticalStudent(config.optics, config.student, 5);
  const images = tf.randomUniform([3, 28, 28, 1], 0, 1, "float32", 6) as tf.Tensor4D;
  const trained = student.trainable();
  const kernels = student.currentSubKernels();
  const fixed = student.behindFixedOptics(kernels);
  const a = predict(trained, images).dataSync();
  const b = predict(fixed, images).dataSync();
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5, `logit ${i}: ${v} vs ${b[i]}`));
  tf.dispose([images, kernels]);
  student.dispose();
});

test("phases wrap into [-pi, pi) without changing the transmission", () => {
  const phases = Float32Array.of(-7, -Math.PI, 0, 3, 3.2, 40);
  const wrapped = wrapPhase(phases);
  wrapped.forEach((w, i) => {
    assert.ok(w >= -Math.PI && w < Math.PI, `${w}`);
    assert.ok(Math.abs(Math.cos(w) - Math.cos(phases[i])) < 1e-5 && Math.abs(Math.sin(w) - Math.sin(phases[i])) < 1e-5);
  });
});
