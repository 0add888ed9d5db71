import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { assertClose, runOn, seededValues, setUpBackends } from "./backend-compare.js";

type Pad = "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];
type Pair = [number, number];

interface ConvCase {
  x: [number, number, number, number]; // NHWC
  filter: [number, number, number, number]; // [fh, fw, in, out or multiplier]
  strides: number | Pair;
  pad: Pad;
  dilations?: number | Pair;
  dataFormat?: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
}

const conv2dCases: ConvCase[] = [
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: "same" },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: "valid" },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: "same" },
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: "same" },
  { x: [2, 8, 8, 3], filter: [4, 4, 3, 2], strides: 2, pad: "same" },
  { x: [1, 9, 11, 2], filter: [3, 3, 2, 3], strides: 2, pad: "valid" },
  { x: [1, 10, 11, 2], filter: [3, 3, 2, 3], strides: 3, pad: "valid" },
  { x: [2, 9, 7, 3], filter: [5, 3, 3, 2], strides: [2, 1], pad: "same" },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: 1 },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: 2 },
  { x: [1, 7, 8, 2], filter: [3, 3, 2, 2], strides: 2, pad: 0, dimRoundingMode: "ceil" },
  { x: [2, 7, 9, 3], filter: [3, 2, 3, 4], strides: [1, 2], pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  { x: [1, 13, 11, 5], filter: [1, 1, 5, 6], strides: 2, pad: "same" },
  { x: [2, 5, 5, 3], filter: [5, 5, 3, 2], strides: 1, pad: "valid" },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: "same", dataFormat: "NCHW" },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: [[0, 0], [0, 0], [1, 2], [2, 0]], dataFormat: "NCHW" },
];

const depthwiseCases: ConvCase[] = [
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 1], strides: 1, pad: "same" },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 2], strides: 1, pad: "valid" },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 1], strides: 2, pad: "same" },
  { x: [2, 8, 8, 4], filter: [4, 4, 4, 2], strides: 2, pad: "same" },
  { x: [1, 11, 9, 2], filter: [3, 5, 2, 3], strides: [2, 3], pad: "valid" },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 2], strides: 1, pad: 1 },
  { x: [1, 7, 8, 2], filter: [3, 3, 2, 1], strides: 2, pad: 0, dimRoundingMode: "ceil" },
  { x: [2, 7, 9, 3], filter: [3, 2, 3, 2], strides: 1, pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { x: [2, 9, 10, 3], filter: [3, 3, 3, 2], strides: 1, pad: "same", dilations: 2 },
  { x: [1, 11, 9, 2], filter: [3, 2, 2, 1], strides: 1, pad: "valid", dilations: [2, 3] },
];

/** Runs one kernel the way tfjs-core's ops do (attrs with undefined members included). */
function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

function describeCase(c: ConvCase): string {
  const parts = [`x ${c.x}`, `filter ${c.filter}`, `strides ${c.strides}`, `pad ${JSON.stringify(c.pad)}`];
  if (c.dilations !== undefined) parts.push(`dilations ${c.dilations}`);
  if (c.dataFormat) parts.push(c.dataFormat);
  if (c.dimRoundingMode) parts.push(c.dimRoundingMode);
  return parts.join(", ");
}

function asPair(v: number | Pair | undefined): Pair {
  return v === undefined ? [1, 1] : typeof v === "number" ? [v, v] : v;
}

/** Inputs and dy of a case, in the case's data format (explicit pads too); dy's shape comes from the forward op. */
function caseTensors(c: ConvCase, depthwise: boolean, seed: number) {
  const x = tf.tensor4d(seededValues(tf.util.sizeFromShape(c.x), seed), c.x);
  const filter = tf.tensor4d(seededValues(tf.util.sizeFromShape(c.filter), seed + 1), c.filter);
  const pad = c.dataFormat === "NCHW" && Array.isArray(c.pad) ? ([c.pad[0], c.pad[2], c.pad[3], c.pad[1]] as Pad) : c.pad;
  const y = depthwise
    ? tf.depthwiseConv2d(x, filter, c.strides, pad, "NHWC", c.dilations ?? 1, c.dimRoundingMode)
    : tf.conv2d(x, filter, c.strides, pad, "NHWC", 1, c.dimRoundingMode);
  const dy = tf.tensor4d(seededValues(y.size, seed + 2), y.shape);
  const toFormat = (t: tf.Tensor4D) => (c.dataFormat === "NCHW" ? tf.transpose(t, [0, 3, 1, 2]) : t);
  return { x: toFormat(x), filter, dy: toFormat(dy), xShape: toFormat(x).shape };
}

function convAttrs(c: ConvCase) {
  return { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? "NHWC", dimRoundingMode: c.dimRoundingMode };
}

/**
 * The cpu backend's depthwise backprop kernels ignore dilations, so a dilated case is checked on cpu as the
 * equivalent undilated one: the filter with (dilation - 1) zeros between taps.
 */
function spreadFilter(filter: tf.Tensor4D, dilations: Pair): tf.Tensor4D {
  const [fh, fw, c, m] = filter.shape;
  const [dh, dw] = dilations;
  const spread = tf.pad(filter.reshape([fh, 1, fw, 1, c, m]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
  return tf.slice(tf.reshape(spread, [fh * dh, fw * dw, c, m]) as tf.Tensor4D, [0, 0, 0, 0], [(fh - 1) * dh + 1, (fw - 1) * dw + 1, c, m]);
}

before(setUpBackends);

describe("Conv2DBackpropFilter on wasm matches cpu", () => {
  conv2dCases.forEach((c, i) =>
    test(describeCase(c), async () => {
      const compute = () => {
        const { x, dy } = caseTensors(c, false, 10 * i);
        return runKernel("Conv2DBackpropFilter", { x, dy }, { ...convAttrs(c), filterShape: c.filter });
      };
      const [expected] = await runOn("cpu", compute);
      const [actual] = await runOn("wasm", compute);
      assertClose(actual, expected, describeCase(c));
    }),
  );
});

describe("Conv2DBackpropInput (conv2dTranspose) on wasm matches cpu", () => {
  conv2dCases.forEach((c, i) =>
    test(describeCase(c), async () => {
      const compute = () => {
        const { filter, dy, xShape } = caseTensors(c, false, 10 * i + 3);
        return runKernel("Conv2DBackpropInput", { dy, filter }, { ...convAttrs(c), inputShape: xShape });
      };
      const [expected] = await runOn("cpu", compute);
      const [actual] = await runOn("wasm", compute);
      assertClose(actual, expected, describeCase(c));
    }),
  );
});

describe("DepthwiseConv2dNativeBackpropInput on wasm matches cpu", () => {
  depthwiseCases.forEach((c, i) =>
    test(describeCase(c), async () => {
      const dilations = asPair(c.dilations);
      const compute = (onCpu: boolean) => () => {
        const { filter, dy } = caseTensors(c, true, 10 * i + 5);
        const attrs = { strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode, inputShape: c.x };
        return onCpu
          ? runKernel("DepthwiseConv2dNativeBackpropInput", { dy, filter: spreadFilter(filter, dilations) }, { ...attrs, dilations: 1 })
          : runKernel("DepthwiseConv2dNativeBackpropInput", { dy, filter }, { ...attrs, dilations });
      };
      const [expected] = await runOn("cpu", compute(true));
      const [actual] = await runOn("wasm", compute(false));
      assertClose(actual, expected, describeCase(c));
    }),
  );
});

describe("DepthwiseConv2dNativeBackpropFilter on wasm matches cpu", () => {
  depthwiseCases.forEach((c, i) =>
    test(describeCase(c), async () => {
      const dilations = asPair(c.dilations);
      const [fh, fw, channels, multiplier] = c.filter;
      const compute = (onCpu: boolean) => () => {
        const { x, dy } = caseTensors(c, true, 10 * i + 7);
        const attrs = { strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode };
        if (!onCpu) {
          return runKernel("DepthwiseConv2dNativeBackpropFilter", { x, dy }, { ...attrs, dilations, filterShape: c.filter });
        }
        const spreadShape = [(fh - 1) * dilations[0] + 1, (fw - 1) * dilations[1] + 1, channels, multiplier];
        const spread = runKernel("DepthwiseConv2dNativeBackpropFilter", { x, dy }, { ...attrs, dilations: 1, filterShape: spreadShape }) as tf.Tensor4D;
        return tf.stridedSlice(spread, [0, 0, 0, 0], spreadShape, [dilations[0], dilations[1], 1, 1]);
      };
      const [expected] = await runOn("cpu", compute(true));
      const [actual] = await runOn("wasm", compute(false));
      assertClose(actual, expected, describeCase(c));
    }),
  );
});

describe("UnsortedSegmentSum on wasm matches cpu", () => {
  test("gather gradient with repeated indices", async () => {
    const compute = () => {
      const table = tf.tensor3d(seededValues(6 * 4 * 3, 91), [6, 4, 3]);
      const indices = tf.tensor1d([0, 5, 2, 2, 0, 5, 5], "int32");
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, indices), tf.tensor3d(seededValues(7 * 12, 92), [7, 4, 3]))))(table);
    };
    const [expected] = await runOn("cpu", compute);
    const [actual] = await runOn("wasm", compute);
    assertClose(actual, expected, "gather gradient");
  });

  test("ids outside [0, numSegments) are dropped", async () => {
    const compute = () =>
      tf.unsortedSegmentSum(tf.tensor2d(seededValues(5 * 2, 93), [5, 2]), tf.tensor1d([1, -1, 3, 1, 7], "int32"), 4);
    const [expected] = await runOn("cpu", compute);
    const [actual] = await runOn("wasm", compute);
    assertClose(actual, expected, "segment sum");
  });
});

describe("MaxPoolGrad on wasm matches cpu (several channels, ties, padding)", () => {
  const cases: { x: [number, number, number, number]; filterSize: number | Pair; strides: number | Pair; pad: Pad }[] = [
    { x: [2, 8, 8, 3], filterSize: 2, strides: 2, pad: "valid" },
    { x: [2, 13, 11, 4], filterSize: 3, strides: 2, pad: "same" },
    { x: [1, 9, 7, 2], filterSize: [3, 2], strides: [1, 2], pad: "valid" },
    { x: [1, 7, 9, 5], filterSize: 3, strides: 1, pad: "same" },
  ];
  cases.forEach((c, i) =>
    test(`x ${c.x}, pool ${c.filterSize}, strides ${c.strides}, pad ${c.pad}`, async () => {
      const compute = () => {
        // Rounded values create ties within windows; the first maximum must win on both backends.
        const x = tf.round(tf.mul(tf.tensor4d(seededValues(tf.util.sizeFromShape(c.x), 40 + i), c.x), 3)) as tf.Tensor4D;
        const y = tf.maxPool(x, c.filterSize, c.strides, c.pad as "same" | "valid");
        const weights = tf.tensor(seededValues(y.size, 50 + i), y.shape);
        return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, c.filterSize, c.strides, c.pad as "same" | "valid"), weights)))(x);
      };
      const [expected] = await runOn("cpu", compute);
      const [actual] = await runOn("wasm", compute);
      assertClose(actual, expected, "max pool gradient");
    }),
  );
});

/**
 * Resize gradients are the adjoints of the (linear) forward resizes: <dy, R x> = <R^T dy, x>. The cpu
 * backend cannot be the reference here: its ResizeBilinearGrad swaps height and width of non-square
 * images and its ResizeNearestNeighborGrad fails this identity.
 */
describe("resize gradients on wasm are adjoint to the forward resize", () => {
  const modes: [boolean, boolean][] = [[false, false], [true, false], [false, true]];
  const sizes: [number, number, number, number][] = [[13, 11, 26, 22], [5, 7, 11, 8], [9, 9, 4, 6]];
  for (const method of ["bilinear", "nearest"] as const) {
    for (const [alignCorners, halfPixelCenters] of modes) {
      for (const [h, w, outH, outW] of sizes) {
        test(`${method} ${h}x${w} -> ${outH}x${outW}, alignCorners ${alignCorners}, halfPixelCenters ${halfPixelCenters}`, async () => {
          const [forwardSide, adjointSide] = await runOn("wasm", () => {
            const x = tf.tensor4d(seededValues(2 * h * w * 3, h + w), [2, h, w, 3]);
            const dy = tf.tensor4d(seededValues(2 * outH * outW * 3, outH + outW), [2, outH, outW, 3]);
            const resize = (images: tf.Tensor4D) =>
              method === "bilinear"
                ? tf.image.resizeBilinear(images, [outH, outW], alignCorners, halfPixelCenters)
                : tf.image.resizeNearestNeighbor(images, [outH, outW], alignCorners, halfPixelCenters);
            const dx = tf.grad((images: tf.Tensor) => tf.sum(tf.mul(resize(images as tf.Tensor4D), dy)))(x);
            return [tf.sum(tf.mul(dy, resize(x))), tf.sum(tf.mul(dx, x))];
          });
          assertClose(adjointSide, forwardSide, "adjoint identity", 1e-5);
        });
      }
    }
  }
});

describe("wasm kernels free their intermediates", () => {
  test("the wasm heap holds no extra buffers after the outputs are disposed", async () => {
    await tf.setBackend("wasm");
    const wasmBackend = tf.backend() as unknown as { numDataIds(): number };
    const c = conv2dCases[2];
    const d = depthwiseCases[3];
    const conv = caseTensors(c, false, 1);
    const depthwise = caseTensors(d, true, 2);
    const segmentIds = tf.tensor1d([1, 0], "int32");
    const buffersBefore = wasmBackend.numDataIds();
    const outputs = [
      runKernel("Conv2DBackpropFilter", { x: conv.x, dy: conv.dy }, { ...convAttrs(c), filterShape: c.filter }),
      runKernel("Conv2DBackpropInput", { dy: conv.dy, filter: conv.filter }, { ...convAttrs(c), inputShape: conv.xShape }),
      runKernel("DepthwiseConv2dNativeBackpropInput", { dy: depthwise.dy, filter: depthwise.filter }, { strides: d.strides, pad: d.pad, dilations: 1, inputShape: d.x }),
      runKernel("DepthwiseConv2dNativeBackpropFilter", { x: depthwise.x, dy: depthwise.dy }, { strides: d.strides, pad: d.pad, dilations: 1, filterShape: d.filter }),
      tf.unsortedSegmentSum(conv.x, segmentIds, 3),
    ];
    tf.dispose(outputs);
    const leaked = wasmBackend.numDataIds() - buffersBefore;
    tf.dispose([conv.x, conv.dy, conv.filter, depthwise.x, depthwise.dy, depthwise.filter, segmentIds]);
    if (leaked !== 0) throw new Error(`wasm backend holds ${leaked} leaked buffers`);
  });
});
