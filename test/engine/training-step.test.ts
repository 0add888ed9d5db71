import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { assertClose, runOn, seededValues, setUpBackends } from "./backend-compare.js";

/**
 * A small network with every layer kind optocnn's CNNs use, on odd sizes and stride-2 'same' layers.
 * Square feature maps and bilinear upsampling only: the cpu reference's ResizeBilinearGrad swaps height
 * and width of non-square images and its ResizeNearestNeighborGrad is wrong (both are checked by
 * adjoint tests in wasm-kernels.test.ts instead).
 */
// Seeded initial weights: with Keras' unseeded defaults a start now and then did not lower the loss in five epochs.
function buildNetwork(): tf.LayersModel {
  const apply = (layer: tf.layers.Layer, input: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(input) as tf.SymbolicTensor;
  const input = tf.input({ shape: [13, 13, 3] });
  const c1 = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }), input);
  const c2 = apply(tf.layers.elu(), apply(tf.layers.batchNormalization(),
    apply(tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: "same", useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }), c1))); // 7x7
  const separable = apply(tf.layers.separableConv2d({ filters: 6, kernelSize: 3, padding: "same", depthMultiplier: 2, activation: "relu", depthwiseInitializer: tf.initializers.glorotUniform({ seed: 3 }), pointwiseInitializer: tf.initializers.glorotUniform({ seed: 4 }) }), c2);
  const depthwise = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: "same", depthwiseInitializer: tf.initializers.glorotUniform({ seed: 5 }) }), separable); // 4x4
  const transposed = apply(tf.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: "same", kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }), depthwise); // 8x8
  const upsampled = apply(tf.layers.upSampling2d({ size: [2, 2], interpolation: "bilinear" }), depthwise); // 8x8
  const decoded = apply(tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: "sigmoid", kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }), apply(tf.layers.concatenate(), [transposed, upsampled]));
  const averaged = apply(tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: "same" }), c1); // 7x7
  const bilinear = apply(tf.layers.upSampling2d({ size: [2, 2], interpolation: "bilinear" }), apply(tf.layers.concatenate(), [averaged, separable])); // 14x14
  const cropped = apply(tf.layers.cropping2D({ cropping: [[3, 3], [3, 3]] }), bilinear); // 8x8
  const fused = apply(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: "valid", kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }), apply(tf.layers.concatenate(), [cropped, decoded])); // 6x6
  const pooled = apply(tf.layers.maxPooling2d({ poolSize: 2 }), c1); // 6x6
  const depth = apply(tf.layers.dense({ units: 1, activation: "sigmoid", kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) }), apply(tf.layers.concatenate(), [fused, pooled]));
  return tf.model({ inputs: input, outputs: depth });
}

/** A depth loss using log, abs, sqrt and mean: scale-invariant log error + L1 + RMSE. */
function depthLoss(target: tf.Tensor, depth: tf.Tensor): tf.Scalar {
  const logDifference = tf.sub(tf.log(tf.add(depth, 0.1)), tf.log(tf.add(target, 0.1)));
  const scaleInvariant = tf.sub(tf.mean(tf.square(logDifference)), tf.square(tf.mean(logDifference)));
  const l1 = tf.mean(tf.abs(tf.sub(depth, target)));
  const rmse = tf.sqrt(tf.add(tf.mean(tf.square(tf.sub(depth, target))), 1e-6));
  return tf.addN([scaleInvariant, l1, rmse]) as tf.Scalar;
}

const inputShape: [number, number, number, number] = [2, 13, 13, 3];
const depthShape: [number, number, number, number] = [2, 6, 6, 1];

before(setUpBackends);

test("a training step's gradients on wasm match cpu for every weight", async () => {
  await tf.setBackend("cpu");
  const model = buildNetwork();
  const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const gradientsOn = (backend: "cpu" | "wasm") =>
    runOn(backend, () => {
      const x = tf.tensor4d(seededValues(tf.util.sizeFromShape(inputShape), 1), inputShape);
      const target = tf.add(tf.mul(tf.tensor4d(seededValues(tf.util.sizeFromShape(depthShape), 2), depthShape), 0.4), 0.5);
      const { value, grads } = tf.variableGrads(() => depthLoss(target, model.apply(x, { training: true }) as tf.Tensor), weights);
      return [value, ...weights.map((w) => grads[w.name])];
    });
  const expected = await gradientsOn("cpu");
  const actual = await gradientsOn("wasm");
  assertClose(actual[0], expected[0], "loss");
  weights.forEach((w, i) => assertClose(actual[i + 1], expected[i + 1], `gradient of ${w.name}`, 1e-4, 1e-7));
  model.dispose();
});

test("model.fit with Adam runs on wasm and lowers the loss", async () => {
  await tf.setBackend("wasm");
  const model = buildNetwork();
  const x = tf.tensor4d(seededValues(tf.util.sizeFromShape(inputShape), 3), inputShape);
  const target = tf.fill(depthShape, 0.7);
  model.compile({ optimizer: tf.train.adam(1e-2), loss: depthLoss });
  const history = await model.fit(x, target, { epochs: 5, batchSize: 2, verbose: 0, shuffle: false });
  const losses = history.history.loss as number[];
  assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
  assert.ok(losses[losses.length - 1] < losses[0], `loss did not fall: ${losses}`);
  tf.dispose([x, target]);
  model.dispose();
});
