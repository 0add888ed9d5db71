import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { jsComplexOps } from "../../src/engine/complex/complex-ops-js.js";
import { PlaneStack } from "../../src/optics/plane-stack.js";
import { bankWavelengths_m, kernelsToPsfTargets, metasurfaceIndex, psfsToKernels, rotate180 } from "../../src/optics/kernels.js";
import { PhaseMetasurface } from "../../src/optics/metasurface.js";
import { createPsfWindowModel } from "../../src/optics/psf-model.js";
import { psfFunction } from "../../src/optics/tf-bridge.js";
import { randomReal } from "./helpers.js";

test("optical convolution with the flipped target equals the CNN correlation with the kernel", () => {
  const k = 3;
  const kernel = Float32Array.from([1, 2, 0, -1, 3, 0.5, 0, 0, 4]);
  const psf = rotate180(kernel, k);
  const image = randomReal(8 * 8, 1);
  for (let y = 1; y < 7; y++) {
    for (let x = 1; x < 7; x++) {
      let correlation = 0;
      let convolution = 0;
      for (let i = -1; i <= 1; i++) {
        for (let j = -1; j <= 1; j++) {
          correlation += kernel[(i + 1) * k + j + 1] * image[(y + i) * 8 + x + j];
          convolution += psf[(i + 1) * k + j + 1] * image[(y - i) * 8 + x - j];
        }
      }
      assert.ok(Math.abs(correlation - convolution) < 1e-5);
    }
  }
});

test("signed kernels split into unit-sum non-negative targets and come back exactly", () => {
  const shape = { kernelSize: 3, inChannels: 3, outChannels: 2 };
  const weights = randomReal(9 * 3 * 2, 2);
  const { targets, scales } = kernelsToPsfTargets(weights, shape);
  assert.equal(targets.length, 12 * 9);
  for (let m = 0; m < 12; m++) {
    const part = targets.subarray(m * 9, (m + 1) * 9);
    assert.ok(part.every((v) => v >= 0));
    if (scales[m] > 0) assert.ok(Math.abs(part.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  }
  // Perfect optics: PSF windows (5x5) that equal the padded targets reproduce the kernels.
  const windows = new PlaneStack(targets, { count: 12, size: 3 }).padCentred(5);
  const back = psfsToKernels(windows, scales, shape);
  for (let i = 0; i < weights.length; i++) assert.ok(Math.abs(back[i] - weights[i]) < 1e-6);
  // Index layout and wavelengths: (sign, out, in), input channel 0 = R = 640 nm.
  assert.equal(metasurfaceIndex(1, 1, 2, 2, 3), 11);
  const wavelengths = bankWavelengths_m(shape);
  assert.deepEqual(wavelengths.slice(0, 3), [640e-9, 550e-9, 460e-9]);
  assert.equal(wavelengths.length, 12);
  assert.throws(() => kernelsToPsfTargets(weights.subarray(1), shape), /needs 54 values, got 53/);
});

test("tf.grad through the customGrad bridge matches finite differences", async () => {
  await tf.setBackend("cpu");
  const model = createPsfWindowModel(
    { cells: 16, cellPitch_m: 2e-6, distance_m: 1e-3, sensorPitch_m: 3e-6, windowPixels: 4, wavelengths_m: [640e-9, 460e-9], metasurface: new PhaseMetasurface() },
    jsComplexOps(),
  );
  const psfOf = psfFunction(model);
  const weights = tf.tensor3d(randomReal(2 * 16, 3), [2, 4, 4]);
  const loss = (p: tf.Tensor) => tf.sum(tf.mul(psfOf(p), weights));
  const params = tf.tensor3d(randomReal(2 * 256, 4, 6), [2, 16, 16]);
  const gradient = tf.grad(loss)(params);
  const direction = tf.tensor3d(randomReal(2 * 256, 5), [2, 16, 16]);
  const analytic = tf.sum(tf.mul(gradient, direction)).dataSync()[0];
  const step = 1e-2;
  const plus = loss(tf.add(params, tf.mul(direction, step))).dataSync()[0];
  const minus = loss(tf.sub(params, tf.mul(direction, step))).dataSync()[0];
  const numeric = (plus - minus) / (2 * step);
  assert.ok(Math.abs(analytic - numeric) < 1e-3 * Math.abs(numeric), `analytic ${analytic}, numeric ${numeric}`);
  assert.throws(() => psfOf(tf.zeros([1, 16, 16])), /params must have shape \[2, 16, 16\]/);
});
