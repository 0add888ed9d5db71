import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { OpticsBank } from "../../src/dko/optics-bank.js";
import { e2eOpticalLayer, E2E_PARAMS_NAME } from "../../src/e2e/optical-layer.js";
import { initEngine } from "../../src/engine/backend.js";
import { initComplexOps } from "../../src/engine/complex/select.js";
import { psfsToKernels } from "../../src/optics/kernels.js";
import { PRESETS } from "../../src/pipeline/presets.js";

before(async () => {
  await initEngine();
  await initComplexOps();
});

test("the E2E layer convolves with DKO's realised kernels, keeps them between untaped calls and forgets them at a training step", () => {
  const bank = new OpticsBank(PRESETS.tiny.dko.optics, { kernelSize: 7, inChannels: 3, outChannels: 2 });
  const scales = Float32Array.from({ length: bank.count }, (_, b) => 0.5 + b / bank.count);
  const layer = e2eOpticalLayer(bank, { params: bank.initialParams(0.3, 1), scales, trainScales: true, formation: "kernel-crop", parameterStepFactor: 4, stride: 2 });
  try {
    // The parameters are stored divided by the step factor and read back multiplied.
    const stored = layer.trainableVariables.get(E2E_PARAMS_NAME)!;
    assert.ok(Math.abs(stored.dataSync()[5] * 4 - layer.params()[5]) < 1e-6);
    const expected = psfsToKernels(bank.windows(bank.model("unit-sum").forward(layer.params())), scales, bank.shape);
    const rgb = tf.randomUniform([1, 16, 16, 3], 0, 1, "float32", 3) as tf.Tensor4D;
    const reference = tf.conv2d(rgb, tf.tensor4d(expected, [7, 7, 3, 2]), 2, "same").dataSync();
    const first = layer.apply(rgb).dataSync();
    for (let i = 0; i < reference.length; i++) assert.ok(Math.abs(first[i] - reference[i]) < 1e-5, `output ${i}: ${first[i]} vs ${reference[i]}`);
    const before = tf.memory().numTensors;
    layer.apply(rgb).dispose();
    assert.equal(tf.memory().numTensors, before, "an untaped call reuses the kept kernels");
    // A training step (taped) and an update of the parameters: the next untaped call sees the new PSFs.
    const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(rgb)) as tf.Scalar, [stored]);
    const gradient = grads[stored.name];
    assert.ok(gradient.abs().max().dataSync()[0] > 0, "the metasurface parameters get a gradient");
    stored.assign(tf.sub(stored, tf.mul(gradient, 0.05)));
    tf.dispose([value, gradient]);
    const updated = psfsToKernels(bank.windows(bank.model("unit-sum").forward(layer.params())), scales, bank.shape);
    const after = layer.apply(rgb).dataSync();
    const fresh = tf.conv2d(rgb, tf.tensor4d(updated, [7, 7, 3, 2]), 2, "same").dataSync();
    for (let i = 0; i < fresh.length; i++) assert.ok(Math.abs(after[i] - fresh[i]) < 1e-5, `after the step, output ${i}: ${after[i]} vs ${fresh[i]}`);
    assert.ok(after.some((v, i) => Math.abs(v - first[i]) > 1e-6), "the step changed the output");
  } finally {
    layer.dispose();
  }
});
