// Every kernel the native engine registers, against tfjs' cpu backend, for the shapes the models make.
// Under OPTOCNN_ENGINE=wasm the same comparisons check the wasm fallback.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { assertMatchesCpu, engineUnderTest, operand } from "./compare.js";

process.env.OPTOCNN_QUIET ??= "1";

type Pad = "same" | "valid";

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number;
  pad: Pad;
  dilations?: number;
}

// Depth net: 7x7 stride-2 first layer (no bias), stride-2 and stride-1 3x3 convs, odd sizes;
// bench U-Net: 3x3 'same' and a 1x1 head; plus valid padding and dilation.
const CONV_CASES: ConvCase[] = [
  { name: "first layer 7x7 s2 same, odd size", x: [2, 15, 13, 3], filter: [7, 7, 3, 4], strides: 2, pad: "same" },
  { name: "3x3 s2 same, odd size", x: [2, 11, 9, 8], filter: [3, 3, 8, 16], strides: 2, pad: "same" },
  { name: "3x3 s2 same, even size", x: [2, 16, 16, 16], filter: [3, 3, 16, 32], strides: 2, pad: "same" },
  { name: "3x3 s1 same, 48 channels", x: [2, 12, 10, 48], filter: [3, 3, 48, 16], strides: 1, pad: "same" },
  { name: "1x1 head", x: [2, 8, 8, 16], filter: [1, 1, 16, 1], strides: 1, pad: "same" },
  { name: "3x3 s1 valid", x: [1, 9, 7, 5], filter: [3, 3, 5, 6], strides: 1, pad: "valid" },
  // Stride-1 input gradients run as forward convolutions with a flipped filter: uneven padding and a
  // non-square filter check the flip and the padding swap.
  { name: "4x2 s1 same, uneven padding", x: [2, 9, 8, 6], filter: [4, 2, 6, 5], strides: 1, pad: "same" },
  { name: "5x5 s2 valid, odd size", x: [1, 13, 13, 3], filter: [5, 5, 3, 8], strides: 2, pad: "valid" },
];

test("native kernels are registered when the native engine is in use", async (t) => {
  const { engine, nativeSkip } = await engineUnderTest();
  if (nativeSkip) return t.skip(nativeSkip);
  for (const kernel of ["Conv2D", "FusedConv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", "BatchMatMul", "_FusedMatMul", "MaxPool", "MaxPoolGrad"]) {
    assert.ok(engine.nativeKernels.includes(kernel), `${kernel} missing from ${engine.nativeKernels.join(", ")}`);
  }
});

for (const c of CONV_CASES) {
  test(`conv2d forward and both gradients: ${c.name}`, async () => {
    const out = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations ?? 1, c.pad).outShape;
    await assertMatchesCpu(c.name, [operand(c.x, 1), operand(c.filter, 2), operand(out, 3)], (x, w, dy) => {
      const conv = (xx: tf.Tensor, ww: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.strides, c.pad);
      const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(conv(xx, ww), dy)))([x, w]);
      return [conv(x, w), dx, dw];
    });
  });
}

test("conv2d with dilation 2 (forward)", async () => {
  await assertMatchesCpu("dilated", [operand([2, 13, 11, 4], 4), operand([3, 3, 4, 8], 5)], (x, w) =>
    tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same", "NHWC", 2));
});

test("conv2dTranspose (Conv2DBackpropInput) stride 2, odd output", async () => {
  await assertMatchesCpu("transpose", [operand([2, 6, 5, 8], 6), operand([3, 3, 4, 8], 7)], (dy, w) =>
    tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, [2, 11, 9, 4], 2, "same"));
});

for (const activation of ["relu", "elu", "linear"] as const) {
  test(`fused conv2d with bias and ${activation}, inference and training`, async () => {
    await assertMatchesCpu(`fused ${activation}`, [operand([2, 9, 11, 16], 8), operand([3, 3, 16, 32], 9), operand([32], 10)], (x, w, b) => {
      const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: ww as tf.Tensor4D, strides: 1, pad: "same", bias: bb, activation });
      const grads = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.square(f(xx, ww, bb))))([x, w, b]);
      return [f(x, w, b), ...grads];
    });
  });
}

test("fused conv2d with an unsupported activation falls back to the replaced kernel", async () => {
  await assertMatchesCpu("fused elu", [operand([1, 7, 7, 4], 11), operand([3, 3, 4, 8], 12), operand([8], 13)], (x, w, b) =>
    tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: "same", bias: b, activation: "elu" }));
});

test("matMul: plain, transposed, batched, broadcast, fused bias+relu", async () => {
  await assertMatchesCpu("matmul", [operand([37, 29], 14), operand([29, 23], 15), operand([23, 29], 16)], (a, b, bt) => [
    tf.matMul(a, b),
    tf.matMul(a, bt, false, true),
    tf.matMul(tf.transpose(a), b, true, false),
  ]);
  await assertMatchesCpu("batched", [operand([3, 2, 7, 5], 17), operand([3, 2, 5, 6], 18), operand([5, 6], 19)], (a, b, single) => [
    tf.matMul(a, b),
    tf.matMul(a, single),
    tf.matMul(tf.transpose(a, [0, 1, 3, 2]), b, true, false),
  ]);
  await assertMatchesCpu("fused", [operand([9, 17], 20), operand([17, 12], 21), operand([12], 22)], (a, b, bias) => [
    tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation: "relu" }),
    tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias }),
  ]);
});

test("dense layer gradient (matMul backward)", async () => {
  await assertMatchesCpu("dense grad", [operand([8, 33], 23), operand([33, 10], 24)], (x, w) =>
    tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.square(tf.matMul(xx, ww))))([x, w]));
});

for (const [name, size, stride, pad] of [["2x2 s2 valid", 2, 2, "valid"], ["3x3 s2 same, odd size", 3, 2, "same"], ["3x3 s1 same (overlapping)", 3, 1, "same"]] as const) {
  test(`maxPool and its gradient: ${name}`, async () => {
    await assertMatchesCpu(name, [operand([2, 9, 11, 16], 25)], (x) => {
      const pool = (xx: tf.Tensor) => tf.maxPool(xx as tf.Tensor4D, size, stride, pad);
      return [pool(x), tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(pool(xx), pool(xx))))(x)];
    });
  });
}

test("maxPool 2x2 s2 and its gradient: ties go to the first window cell, 13 channels", async () => {
  // Values on a coarse grid so that many windows hold equal maxima.
  const x = operand([2, 8, 10, 13], 30);
  x.values.forEach((v, i) => (x.values[i] = Math.round(v * 2) / 2));
  await assertMatchesCpu("2x2 ties", [x, operand([2, 4, 5, 13], 31)], (xx, g) => {
    const pool = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, "valid");
    return [pool(xx), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(t), g)))(xx)];
  });
});

test("concat and its gradient (SplitV) along channels and along rows", async () => {
  await assertMatchesCpu("concat", [operand([2, 5, 7, 16], 26), operand([2, 5, 7, 32], 27), operand([2, 3, 7, 16], 28)], (a, b, c) => {
    const f = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.mul(tf.concat([tf.concat([x, y], 3), tf.concat([z, z, z], 3)], 1), tf.range(1, 49).reshape([48]));
    return [f(a, b, c), ...tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.square(f(x, y, z))))([a, b, c])];
  });
  await assertMatchesCpu("split", [operand([4, 10, 6], 29)], (x) => tf.split(x, [3, 2, 5], 1));
});

for (const alignCorners of [false, true]) {
  // Batch 1 against cpu: tfjs' cpu gradient offsets dy by the image's batch stride, wrong for batch > 1.
  test(`resizeNearestNeighbor x2 and its gradient, alignCorners ${alignCorners}`, async () => {
    await assertMatchesCpu("resize", [operand([1, 5, 7, 8], 30), operand([1, 10, 14, 8], 31)], (x, w) => {
      const up = (xx: tf.Tensor) => tf.image.resizeNearestNeighbor(xx as tf.Tensor4D, [10, 14], alignCorners);
      return [up(x), tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(up(xx), w)))(x)];
    });
  });
}

test("resizeNearestNeighbor gradient of a batch equals the per-image gradients", async () => {
  await engineUnderTest();
  const x = tf.tensor(operand([3, 4, 6, 5], 34).values, [3, 4, 6, 5]) as tf.Tensor4D;
  const w = tf.tensor(operand([3, 8, 12, 5], 35).values, [3, 8, 12, 5]);
  const up = (xx: tf.Tensor) => tf.image.resizeNearestNeighbor(xx as tf.Tensor4D, [8, 12]);
  const gradient = (xx: tf.Tensor, ww: tf.Tensor) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(up(v), ww)))(xx);
  const whole = await gradient(x, w).data();
  const perImage = await tf.concat([0, 1, 2].map((i) => gradient(x.slice(i, 1), w.slice(i, 1))), 0).data();
  assert.deepEqual(Array.from(whole), Array.from(perImage));
  tf.dispose([x, w]);
});

test("resizeNearestNeighbor to a non-integer scale with half-pixel centers", async () => {
  await assertMatchesCpu("resize odd", [operand([1, 7, 5, 3], 32)], (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [11, 9], false, true));
});

test("sum over leading axes (bias gradient), trailing axes, keepDims, and other axes", async () => {
  await assertMatchesCpu("sum", [operand([8, 32, 32, 16], 33)], (x) => [
    tf.sum(x, [0, 1, 2]),
    tf.sum(x, [2, 3]),
    tf.sum(x, [0, 1], true),
    tf.sum(x, [1, 3]),
    tf.sum(x),
  ], 1e-5);
});

test("element-wise add/multiply (same shape, bias broadcast either side), relu, step, on activation-sized tensors", async () => {
  const big = [4, 32, 32, 16];
  await assertMatchesCpu("elementwise", [operand(big, 36), operand(big, 37), operand([16], 38), operand([32, 16], 39)], (a, b, bias, rows) => [
    tf.add(a, b),
    tf.add(a, bias),
    tf.add(bias, a),
    tf.mul(a, rows),
    tf.mul(rows, a),
    tf.relu(a),
    tf.step(a, 0.25),
    tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), b)))(a),
  ]);
});

test("relu and step propagate NaN like tfjs", async () => {
  const values = operand([4, 32, 32, 16], 42);
  values.values[5] = NaN;
  await engineUnderTest();
  for (const f of [(x: tf.Tensor) => tf.relu(x), (x: tf.Tensor) => tf.step(x)]) {
    const x = tf.tensor(values.values, values.shape);
    const y = f(x);
    assert.ok(Number.isNaN((await y.data())[5]));
    tf.dispose([x, y]);
  }
});

test("identity (clone, same-dtype cast) keeps its values after the source is disposed", async () => {
  await engineUnderTest();
  const source = operand([64, 1024], 43);
  const x = tf.tensor(source.values, source.shape);
  const clone = tf.clone(x);
  const cast = tf.cast(x, "float32");
  x.dispose();
  assert.deepEqual(await clone.data(), source.values);
  assert.deepEqual(await cast.data(), source.values);
  tf.dispose([clone, cast]);
});
