import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initEngine } from "../../src/engine/backend.js";
import { DepthNetConfigSchema } from "../../src/models/depth-net-config.js";
import { presetNetConfig } from "../../src/pipeline/preset-configs.js";
import { buildDepthNet } from "../../src/models/depth-net.js";
import { convFirstLayer } from "../../src/models/first-layer.js";
import { assignTensors, loadTensors, saveTensors } from "../../src/models/weights-io.js";

const data = { height: 32, width: 32, depthRange_m: [0.5, 20] as [number, number] };

function randomRgb(batch: number, seed: number): tf.Tensor4D {
  return tf.randomUniform([batch, data.height, data.width, 3], 0, 1, "float32", seed) as tf.Tensor4D;
}

test("the first-layer / back-end split reproduces the full network exactly", async () => {
  await initEngine();
  const net = buildDepthNet(presetNetConfig("tiny", data, 1));
  // give the zero-initialised biases and residual branches non-trivial values
  for (const v of net.variables.values()) v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.05, "float32", 9)));
  const rgb = randomRgb(2, 3);
  const full = await net.predict(rgb).data();
  const { kernels, size, stride } = net.config.firstLayer;
  assert.deepEqual(net.firstLayerKernel.shape, [size, size, 3, kernels]);
  const features = tf.conv2d(rgb, net.firstLayerKernel as tf.Tensor4D, stride, "same");
  assert.deepEqual(features.shape, [2, data.height / stride, data.width / stride, kernels]);
  const split = await net.backEnd(features).data();
  assert.deepEqual(Array.from(split), Array.from(full));
  // a fixed first layer holding a copy of the kernel (what DKO plugs in) gives the same output too
  const fixed = convFirstLayer(net.firstLayerKernel.clone(), stride, { trainable: false });
  assert.equal(fixed.trainableVariables.size, 0);
  assert.deepEqual(Array.from(await net.predict(rgb, fixed).data()), Array.from(full));
  const out = net.predict(rgb);
  assert.deepEqual(out.shape, [2, data.height, data.width, 1]);
  const [min, max] = [(await out.min().data())[0], (await out.max().data())[0]];
  assert.ok(min >= 0.5 * (1 - 1e-5) && max <= 20 * (1 + 1e-5), `depth ${min}..${max} outside the range`);
  net.dispose();
});

test("on wide 32x96 and 32x112 images (KITTI-like aspect, an odd width at the deepest level) the output and every weight gradient equal the cpu backend's", async () => {
  // Batch 1: the cpu reference's ResizeNearestNeighborGrad mixes up images after the first of a batch.
  const engine = await initEngine();
  for (const [preset, height, width] of [["tiny", 32, 96], ["default", 32, 112]] as const) {
    const net = buildDepthNet(presetNetConfig(preset, { height, width, depthRange_m: [0.5, 80] }, 1));
    for (const v of net.variables.values()) v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.05, "float32", 9)));
    const rgb = tf.randomUniform([1, height, width, 3], 0, 1, "float32", 3) as tf.Tensor4D;
    // A ground truth that varies along both axes differently, so a swapped or flipped axis changes the loss.
    const truth = tf.tidy(() => tf.exp(tf.add(tf.mul(tf.linspace(0, 1, height).reshape([1, height, 1, 1]), 2), tf.mul(tf.linspace(0, 1, width).reshape([1, 1, width, 1]), 1))));
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(tf.log(net.predict(rgb)), tf.log(truth)))) as tf.Scalar, net.trainableWeights);
      const out = { loss: value.dataSync()[0], grads: new Map(Object.entries(grads).map(([name, g]) => [name, Float32Array.from(g.dataSync())])), depth: net.predict(rgb) };
      assert.deepEqual(out.depth.shape, [1, height, width, 1]);
      const depth = Float32Array.from(out.depth.dataSync());
      tf.dispose([value, out.depth, ...Object.values(grads)]);
      return { ...out, depth };
    };
    const onEngine = step();
    await tf.setBackend("cpu");
    const onCpu = step();
    await tf.setBackend(engine.backend);
    assert.ok(Math.abs(onEngine.loss - onCpu.loss) <= 1e-5 * onCpu.loss, `${preset} loss ${onEngine.loss} vs ${onCpu.loss}`);
    for (let i = 0; i < onCpu.depth.length; i++) assert.ok(Math.abs(onEngine.depth[i] - onCpu.depth[i]) <= 1e-4 * onCpu.depth[i], `${preset} depth ${i}`);
    for (const [name, expected] of onCpu.grads) {
      const actual = onEngine.grads.get(name)!;
      const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      assert.ok(scale > 0, `${preset} ${name}: zero gradient proves nothing`);
      const worst = actual.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0);
      assert.ok(worst <= 1e-4 * scale, `${preset} gradient of ${name}: worst difference ${worst} at scale ${scale}`);
    }
    tf.dispose([rgb, truth]);
    net.dispose();
  }
});

test("the same seed builds the same network; parameter count adds up", async () => {
  await initEngine();
  const a = buildDepthNet(presetNetConfig("tiny", data, 0));
  const b = buildDepthNet(presetNetConfig("tiny", data, 0));
  assert.deepEqual([...a.variables.keys()], [...b.variables.keys()]);
  for (const [name, v] of a.variables) assert.deepEqual(Array.from(v.dataSync()), Array.from(b.variables.get(name)!.dataSync()), name);
  const count = [...a.variables.values()].reduce((n, v) => n + v.size, 0);
  assert.equal(a.parameterCount, count);
  assert.equal(a.trainableWeights.length, a.variables.size);
  assert.ok(!a.backEndVariables.has("first.kernel"));
  a.dispose();
  b.dispose();
});

test("the paper preset is ResNet-18-sized with a 64-kernel 7x7 stride-2 first layer", async () => {
  await initEngine();
  const net = buildDepthNet(presetNetConfig("paper", { ...data, height: 64, width: 64 }));
  assert.deepEqual(net.firstLayerKernel.shape, [7, 7, 3, 64]);
  assert.ok(net.parameterCount > 11e6, `${net.parameterCount} parameters`);
  net.dispose();
});

test("config validation names the field and the fix", () => {
  const base = presetNetConfig("tiny", data);
  assert.throws(() => DepthNetConfigSchema.parse({ ...base, decoderChannels: [8] }), /decoderChannels needs 3 entries/);
  assert.throws(() => DepthNetConfigSchema.parse({ ...base, inputHeight: 36 }), /inputHeight 36 must be a multiple of the total downsampling 8/);
  assert.throws(() => DepthNetConfigSchema.parse({ ...base, firstLayer: { ...base.firstLayer, size: 6 } }), /must be odd/);
  assert.throws(() => convFirstLayer(tf.zeros([7, 7, 1, 4]) as tf.Tensor4D, 2, { trainable: false }), /\[kh, kw, 3, K\]/);
});

test("weights round-trip through .npy files exactly; wrong shapes are named", async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), "optocnn-weights-"));
  try {
    const a = buildDepthNet(presetNetConfig("tiny", data, 1));
    const b = buildDepthNet(presetNetConfig("tiny", data, 2));
    saveTensors(join(dir, "w"), a.variables);
    saveTensors(join(dir, "w"), a.variables); // replacing an existing directory
    const loaded = loadTensors(join(dir, "w"));
    assignTensors(b.variables, loaded, "test");
    for (const [name, v] of a.variables) assert.deepEqual(Array.from(b.variables.get(name)!.dataSync()), Array.from(v.dataSync()), name);
    const other = buildDepthNet({ ...presetNetConfig("tiny", data), firstLayer: { kernels: 5, size: 7, stride: 2 } });
    assert.throws(() => assignTensors(other.variables, loaded, "w"), /"first.kernel" has shape \[7, 7, 3, 4\], the network expects \[7, 7, 3, 5\]/);
    [a, b, other].forEach((n) => n.dispose());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
