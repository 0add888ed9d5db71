// Every function of the native addon, called directly with wrong argument types, counts, enum codes,
// shapes and operand bounds: each call throws a TypeError or RangeError naming the function and the
// argument (never reads or writes outside its buffers), and the process keeps working afterwards.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { NativeAddon } from "../../src/engine/native/addon.js";
import { addonSkip, nativeAddon } from "./addon-under-test.js";

type Args = unknown[];
type Entry = keyof NativeAddon;

interface WrongCall {
  why: string;
  /** Makes one argument of a valid call wrong. */
  change: (args: Args) => void;
  error: typeof TypeError | typeof RangeError;
  message: string;
}

/** A field of a shape argument: name, least value, greatest value and how the message words the range. */
type Field = [name: string, min: number, max?: number, allowed?: string];

interface EntryCase {
  entry: Entry;
  /** Arguments of a call that succeeds. */
  valid: () => Args;
  /** The Int32Array shape argument, if any: its index and its fields in order. */
  shape?: { index: number; fields: Field[] };
  wrong: WrongCall[];
}

const FLAG = "0 (no) or 1 (yes)";
const MATRIX_OP = "0 (N), 1 (T) or 2 (C)";
const CONV_FIELDS: Field[] = [
  ["batch", 0], ["inHeight", 0], ["inWidth", 0], ["inChannels", 0], ["outChannels", 0], ["filterHeight", 1], ["filterWidth", 1],
  ["outHeight", 0], ["outWidth", 0], ["strideHeight", 1], ["strideWidth", 1], ["dilationHeight", 1], ["dilationWidth", 1],
  ["padTop", 0], ["padLeft", 0], ["padBottom", 0], ["padRight", 0],
];
const POOL_FIELDS: Field[] = [
  ["batch", 0], ["inHeight", 0], ["inWidth", 0], ["channels", 0], ["outHeight", 0], ["outWidth", 0], ["filterHeight", 1],
  ["filterWidth", 1], ["strideHeight", 1], ["strideWidth", 1], ["dilationHeight", 1], ["dilationWidth", 1], ["padTop", 0], ["padLeft", 0],
];

const HEAP_BYTES = 4096;
const heap = new Uint8Array(HEAP_BYTES);
const f32 = (length: number) => new Float32Array(length);
const hyper = () => Float64Array.of(0.9, 0.999, 1e-8, 0.01, 0);

// A 4x4 single-channel image, a 3x3 filter, 'same' padding: x at byte 0, filter at 64, y at 128.
const convShape = () => Int32Array.of(1, 4, 4, 1, 1, 3, 3, 4, 4, 1, 1, 1, 1, 1, 1, 1, 1);
const rangeError = (why: string, change: (args: Args) => void, message: string): WrongCall => ({ why, change, error: RangeError, message });
const typeError = (why: string, change: (args: Args) => void, message: string): WrongCall => ({ why, change, error: TypeError, message });

const CASES: EntryCase[] = [
  {
    entry: "conv2d",
    valid: () => [heap, convShape(), 0, 64, -1, 128, 1],
    shape: { index: 1, fields: CONV_FIELDS },
    wrong: [
      typeError("heap is a string", (a) => { a[0] = "heap"; }, "conv2d: argument 1 (heap) must be a typed array or ArrayBuffer, got a string"),
      typeError("shape is a Float32Array", (a) => { a[1] = Float32Array.from(convShape()); }, "conv2d: argument 2 (shape) must be an Int32Array, got a Float32Array"),
      rangeError("shape has 16 fields", (a) => { a[1] = convShape().subarray(0, 16); }, "conv2d: argument 2 (shape) must have 17 values, has 16"),
      rangeError("output larger than the geometry gives", (a) => { (a[1] as Int32Array)[7] = 5; },
        "conv2d: argument 2 (shape): output 5x4 disagrees with input, filter, strides, dilations and padding, which give 4x4"),
      rangeError("sizes whose product overflows 64 bits", (a) => { a[1] = Int32Array.of(2 ** 30, 2 ** 30, 1, 2 ** 30, 1, 1, 1, 2 ** 30, 1, 1, 1, 1, 1, 0, 0, 0, 0); },
        "conv2d: argument 3 (x): 9223372036854775807 floats at byte 0 overrun the heap of 4096 bytes"),
      typeError("x offset is a string", (a) => { a[2] = "0"; }, "conv2d: argument 3 (x) must be a number, got a string"),
      rangeError("misaligned x", (a) => { a[2] = 2; }, "conv2d: argument 3 (x) must be a byte offset >= 0 and a multiple of 4, got 2"),
      rangeError("filter past the heap end", (a) => { a[3] = HEAP_BYTES - 32; }, "conv2d: argument 4 (filter): 9 floats at byte 4064 overrun the heap of 4096 bytes"),
      rangeError("bias past the heap end", (a) => { a[4] = HEAP_BYTES; }, "conv2d: argument 5 (bias): 1 floats at byte 4096 overrun the heap of 4096 bytes"),
      rangeError("y past the heap end", (a) => { a[5] = HEAP_BYTES - 60; }, "conv2d: argument 6 (y): 16 floats at byte 4036 overrun the heap of 4096 bytes"),
      rangeError("activation code 3", (a) => { a[6] = 3; }, "conv2d: argument 7 (activation) must be 0 (linear), 1 (relu) or 2 (elu), got 3"),
      rangeError("fractional activation code", (a) => { a[6] = 1.5; }, "conv2d: argument 7 (activation) must be 0 (linear), 1 (relu) or 2 (elu), got 1.5"),
      typeError("activation by name", (a) => { a[6] = "relu"; }, "conv2d: argument 7 (activation) must be a number, got a string"),
    ],
  },
  {
    entry: "conv2dByRows",
    valid: () => [heap, convShape(), 0, 64, -1, 128, 2],
    shape: { index: 1, fields: CONV_FIELDS },
    wrong: [
      rangeError("a dilated filter", (a) => { a[1] = Int32Array.of(1, 4, 4, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 0, 0, 0, 0); },
        "conv2dByRows: argument 2 (shape): the row products need dilations of 1"),
      rangeError("output larger than the geometry gives", (a) => { (a[1] as Int32Array)[8] = 5; },
        "conv2dByRows: argument 2 (shape): output 4x5 disagrees with input, filter, strides, dilations and padding, which give 4x4"),
      rangeError("y past the heap end", (a) => { a[5] = HEAP_BYTES - 60; }, "conv2dByRows: argument 6 (y): 16 floats at byte 4036 overrun the heap of 4096 bytes"),
      rangeError("activation code 3", (a) => { a[6] = 3; }, "conv2dByRows: argument 7 (activation) must be 0 (linear), 1 (relu) or 2 (elu), got 3"),
    ],
  },
  {
    entry: "conv2dImplementation",
    valid: () => [convShape(), 1, 1],
    shape: { index: 0, fields: CONV_FIELDS },
    wrong: [
      rangeError("output larger than the geometry gives", (a) => { (a[0] as Int32Array)[7] = 5; },
        "conv2dImplementation: argument 1 (shape): output 5x4 disagrees with input, filter, strides, dilations and padding, which give 4x4"),
      rangeError("bias flag 2", (a) => { a[1] = 2; }, "conv2dImplementation: argument 2 (bias) must be 0 (no) or 1 (yes), got 2"),
      rangeError("activation code 3", (a) => { a[2] = 3; }, "conv2dImplementation: argument 3 (activation) must be 0 (linear), 1 (relu) or 2 (elu), got 3"),
    ],
  },
  {
    entry: "conv2dBackpropInput",
    valid: () => [heap, convShape(), 0, 64, 128],
    shape: { index: 1, fields: CONV_FIELDS },
    wrong: [
      rangeError("output smaller than the geometry gives", (a) => { (a[1] as Int32Array)[8] = 3; },
        "conv2dBackpropInput: argument 2 (shape): output 4x3 disagrees with input, filter, strides, dilations and padding, which give 4x4"),
      rangeError("dx past the heap end", (a) => { a[4] = HEAP_BYTES - 4; }, "conv2dBackpropInput: argument 5 (dx): 16 floats at byte 4092 overrun the heap of 4096 bytes"),
    ],
  },
  {
    entry: "conv2dBackpropFilter",
    valid: () => [heap, convShape(), 0, 64, 128],
    shape: { index: 1, fields: CONV_FIELDS },
    wrong: [
      rangeError("dfilter past the heap end", (a) => { a[4] = HEAP_BYTES - 8; }, "conv2dBackpropFilter: argument 5 (dfilter): 9 floats at byte 4088 overrun the heap of 4096 bytes"),
    ],
  },
  {
    entry: "matmul",
    valid: () => [heap, Int32Array.of(1, 1, 2, 2, 2, 0, 0), 0, 16, -1, 32, false],
    shape: { index: 1, fields: [["batchA", 1], ["batchB", 1], ["m", 0], ["n", 0], ["k", 0], ["transposeA", 0, 1, FLAG], ["transposeB", 0, 1, FLAG]] },
    wrong: [
      rangeError("batches that do not broadcast", (a) => { a[1] = Int32Array.of(2, 3, 2, 2, 2, 0, 0); },
        "matmul: argument 2 (shape): batchA 2 and batchB 3 must be equal or one of them 1"),
      rangeError("c past the heap end", (a) => { a[5] = HEAP_BYTES - 8; }, "matmul: argument 6 (c): 4 floats at byte 4088 overrun the heap of 4096 bytes"),
      typeError("relu as a number", (a) => { a[6] = 1; }, "matmul: argument 7 (relu) must be a boolean, got a number"),
    ],
  },
  {
    entry: "maxPool",
    valid: () => [heap, Int32Array.of(1, 4, 4, 1, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0), 0, 64],
    shape: { index: 1, fields: POOL_FIELDS },
    wrong: [
      rangeError("y past the heap end", (a) => { a[3] = HEAP_BYTES - 12; }, "maxPool: argument 4 (y): 4 floats at byte 4084 overrun the heap of 4096 bytes"),
    ],
  },
  {
    entry: "maxPoolGrad",
    valid: () => [heap, Int32Array.of(1, 4, 4, 1, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0), 0, 64, 128],
    shape: { index: 1, fields: POOL_FIELDS },
    wrong: [
      typeError("shape is a plain array", (a) => { a[1] = [1, 4, 4, 1, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0]; }, "maxPoolGrad: argument 2 (shape) must be an Int32Array, got an Array"),
      rangeError("misaligned dx", (a) => { a[4] = 130; }, "maxPoolGrad: argument 5 (dx) must be a byte offset >= 0 and a multiple of 4, got 130"),
    ],
  },
  {
    entry: "joinAlongAxis",
    valid: () => [heap, 2, Float64Array.of(0, 16), Float64Array.of(2, 3), 64, false],
    wrong: [
      rangeError("negative outer", (a) => { a[1] = -1; }, "joinAlongAxis: argument 2 (outer) must be an integer >= 0, got -1"),
      rangeError("fractional outer", (a) => { a[1] = 1.5; }, "joinAlongAxis: argument 2 (outer) must be an integer >= 0, got 1.5"),
      typeError("offsets as an Array", (a) => { a[2] = [0, 16]; }, "joinAlongAxis: argument 3 (offsets) must be a Float64Array, got an Array"),
      rangeError("fewer widths than offsets", (a) => { a[3] = Float64Array.of(2); }, "joinAlongAxis: argument 4 (widths) must have 2 values, has 1"),
      rangeError("negative width", (a) => { a[3] = Float64Array.of(2, -3); }, "joinAlongAxis: argument 4 (widths)[1] must be an integer >= 0, got -3"),
      rangeError("widths adding up past 2^53 (possible only for an empty outer axis)", (a) => { a[1] = 0; a[3] = Float64Array.of(2 ** 53 - 1, 2 ** 53 - 1); },
        "joinAlongAxis: argument 4 (widths) add up to more than 2^53"),
      rangeError("a piece past the heap end", (a) => { a[2] = Float64Array.of(0, HEAP_BYTES - 8); },
        "joinAlongAxis: argument 3 (offsets)[1]: 6 floats at byte 4088 overrun the heap of 4096 bytes"),
      rangeError("whole past the heap end", (a) => { a[4] = HEAP_BYTES - 16; }, "joinAlongAxis: argument 5 (whole): 10 floats at byte 4080 overrun the heap of 4096 bytes"),
      typeError("split as a string", (a) => { a[5] = "yes"; }, "joinAlongAxis: argument 6 (split) must be a boolean, got a string"),
    ],
  },
  {
    entry: "resizeNearest",
    valid: () => [heap, Int32Array.of(1, 2, 2, 1, 4, 4), Int32Array.of(0, 0, 1, 1), Int32Array.of(0, 0, 1, 1), 0, 64, false],
    shape: { index: 1, fields: [["batch", 0], ["inHeight", 0], ["inWidth", 0], ["channels", 0], ["outHeight", 0], ["outWidth", 0]] },
    wrong: [
      rangeError("three source rows for four output rows", (a) => { a[2] = Int32Array.of(0, 0, 1); }, "resizeNearest: argument 3 (sourceRows) must have 4 values, has 3"),
      rangeError("a source row past the input", (a) => { (a[2] as Int32Array)[2] = 2; }, "resizeNearest: argument 3 (sourceRows)[2] must be in [0, 2), got 2"),
      rangeError("a negative source column", (a) => { (a[3] as Int32Array)[0] = -1; }, "resizeNearest: argument 4 (sourceCols)[0] must be in [0, 2), got -1"),
      typeError("source columns as a Uint32Array", (a) => { a[3] = Uint32Array.of(0, 0, 1, 1); }, "resizeNearest: argument 4 (sourceCols) must be an Int32Array, got a Uint32Array"),
      rangeError("y past the heap end", (a) => { a[5] = HEAP_BYTES - 32; }, "resizeNearest: argument 6 (y): 16 floats at byte 4064 overrun the heap of 4096 bytes"),
      rangeError("the gradient's dx past the heap end", (a) => { a[5] = HEAP_BYTES - 12; a[6] = true; },
        "resizeNearest: argument 6 (dx): 4 floats at byte 4084 overrun the heap of 4096 bytes"),
    ],
  },
  {
    entry: "upsampleConcat",
    valid: () => [heap, Int32Array.of(1, 2, 2, 1, 1), 0, 64, 128, false],
    shape: { index: 1, fields: [["batch", 0], ["lowHeight", 0], ["lowWidth", 0], ["lowChannels", 0], ["skipChannels", 0]] },
    wrong: [
      rangeError("out past the heap end", (a) => { a[4] = HEAP_BYTES - 64; }, "upsampleConcat: argument 5 (out): 32 floats at byte 4032 overrun the heap of 4096 bytes"),
      rangeError("the gradient's dskip past the heap end", (a) => { a[4] = HEAP_BYTES - 32; a[5] = true; },
        "upsampleConcat: argument 5 (dskip): 16 floats at byte 4064 overrun the heap of 4096 bytes"),
    ],
  },
  {
    entry: "sumAxes",
    valid: () => [heap, 0, 2, 3, 64, true],
    wrong: [
      typeError("outer as a string", (a) => { a[2] = "2"; }, "sumAxes: argument 3 (outer) must be a number, got a string"),
      rangeError("negative inner", (a) => { a[3] = -1; }, "sumAxes: argument 4 (inner) must be an integer >= 0, got -1"),
      rangeError("y past the heap end", (a) => { a[4] = HEAP_BYTES - 8; }, "sumAxes: argument 5 (y): 3 floats at byte 4088 overrun the heap of 4096 bytes"),
    ],
  },
  {
    entry: "elementwise",
    valid: () => [heap, 0, 0, 64, 8, 4, 0, 128],
    wrong: [
      rangeError("op 4", (a) => { a[1] = 4; }, "elementwise: argument 2 (op) must be 0 (add), 1 (multiply), 2 (relu) or 3 (step), got 4"),
      rangeError("negative length", (a) => { a[4] = -1; }, "elementwise: argument 5 (length) must be an integer >= 0, got -1"),
      rangeError("b that does not tile a", (a) => { a[5] = 3; }, "elementwise: argument 6 (bLength) must be >= 1 and divide length 8 (b tiles a), got 3"),
      rangeError("empty b for a binary op", (a) => { a[5] = 0; }, "elementwise: argument 6 (bLength) must be >= 1 and divide length 8 (b tiles a), got 0"),
      typeError("b of a unary op as null", (a) => { a[1] = 2; a[3] = null; }, "elementwise: argument 4 (b) must be a number, got null"),
      typeError("alpha as a string", (a) => { a[1] = 3; a[6] = "0.1"; }, "elementwise: argument 7 (alpha) must be a number, got a string"),
      rangeError("out past the heap end", (a) => { a[7] = HEAP_BYTES - 16; }, "elementwise: argument 8 (out): 8 floats at byte 4080 overrun the heap of 4096 bytes"),
    ],
  },
  {
    entry: "activationBiasGrad",
    valid: () => [heap, 1, 0, 64, 2, 3, 128, 192],
    wrong: [
      rangeError("linear activation", (a) => { a[1] = 0; }, "activationBiasGrad: argument 2 (activation) must be 1 (relu) or 2 (elu), got 0"),
      rangeError("zero channels", (a) => { a[5] = 0; }, "activationBiasGrad: argument 6 (channels) must be an integer >= 1, got 0"),
      rangeError("dbias past the heap end", (a) => { a[7] = HEAP_BYTES - 8; }, "activationBiasGrad: argument 8 (dbias): 3 floats at byte 4088 overrun the heap of 4096 bytes"),
    ],
  },
  {
    entry: "adamUpdate",
    valid: () => [heap, 4, 0, 16, 32, 48, 64, 80, 96, hyper()],
    wrong: [
      rangeError("negative length", (a) => { a[1] = -4; }, "adamUpdate: argument 2 (length) must be an integer >= 0, got -4"),
      rangeError("four hyper-parameters", (a) => { a[9] = Float64Array.of(0.9, 0.999, 1e-8, 0.01); },
        "adamUpdate: argument 10 (hyper [beta1, beta2, epsilon, stepSize, decay]) must have 5 values, has 4"),
      typeError("hyper-parameters as a Float32Array", (a) => { a[9] = Float32Array.from(hyper()); },
        "adamUpdate: argument 10 (hyper [beta1, beta2, epsilon, stepSize, decay]) must be a Float64Array, got a Float32Array"),
      rangeError("vOut past the heap end", (a) => { a[8] = HEAP_BYTES - 12; }, "adamUpdate: argument 9 (vOut): 4 floats at byte 4084 overrun the heap of 4096 bytes"),
    ],
  },
  {
    entry: "adamUpdateInPlace",
    valid: () => [heap, Float64Array.of(4), Float64Array.of(0, 16, 32, 48), hyper()],
    wrong: [
      typeError("lengths as an Array", (a) => { a[1] = [4]; }, "adamUpdateInPlace: argument 2 (lengths) must be a Float64Array, got an Array"),
      rangeError("three offsets for one variable", (a) => { a[2] = Float64Array.of(0, 16, 32); },
        "adamUpdateInPlace: argument 3 (offsets (w, m, v, g per variable)) must have 4 values, has 3"),
      rangeError("fractional length", (a) => { a[1] = Float64Array.of(2.5); }, "adamUpdateInPlace: argument 2 (lengths)[0] must be an integer >= 0, got 2.5"),
      rangeError("g past the heap end", (a) => { a[2] = Float64Array.of(0, 16, 32, HEAP_BYTES - 4); },
        "adamUpdateInPlace: argument 3 (offsets)[3]: 4 floats at byte 4092 overrun the heap of 4096 bytes"),
    ],
  },
  {
    entry: "fft2d",
    valid: () => [f32(8), f32(8), 2, 2, 2, false],
    wrong: [
      typeError("im as a Float64Array", (a) => { a[1] = new Float64Array(8); }, "fft2d: argument 2 (im) must be a Float32Array, got a Float64Array"),
      rangeError("re too short", (a) => { a[0] = f32(7); }, "fft2d: argument 1 (re) has 7 elements, needs 8"),
      rangeError("zero rows", (a) => { a[3] = 0; }, "fft2d: argument 4 (rows) must be an integer >= 1, got 0"),
      rangeError("sizes whose product overflows 64 bits", (a) => { a[2] = 2 ** 40; a[3] = 2 ** 20; a[4] = 2 ** 20; },
        "fft2d: argument 1 (re) has 8 elements, needs 9223372036854775807"),
      typeError("inverse as 0", (a) => { a[5] = 0; }, "fft2d: argument 6 (inverse) must be a boolean, got a number"),
    ],
  },
  {
    entry: "paddedConvolution",
    valid: () => [Int32Array.of(1, 2, 4, 1, 0), f32(4), f32(4), f32(4), f32(4), f32(16), f32(16), Int32Array.of(0)],
    shape: { index: 0, fields: [["batch", 1], ["size", 1], ["paddedSize", 1], ["kernelCount", 1], ["conjugate", 0, 1, FLAG]] },
    wrong: [
      rangeError("padded grid smaller than the field", (a) => { (a[0] as Int32Array)[2] = 1; }, "paddedConvolution: argument 1 (shape): paddedSize 1 must be >= size 2"),
      rangeError("kernels.re too short", (a) => { a[5] = f32(15); }, "paddedConvolution: argument 6 (kernels.re) has 15 elements, needs 16"),
      rangeError("two kernel indices for one field", (a) => { a[7] = Int32Array.of(0, 0); }, "paddedConvolution: argument 8 (kernelOf) must have 1 values, has 2"),
      rangeError("kernel index past the kernels", (a) => { a[7] = Int32Array.of(1); }, "paddedConvolution: argument 8 (kernelOf)[0] must be in [0, 1), got 1"),
    ],
  },
  {
    entry: "unitPhasor",
    valid: () => [f32(3), f32(3), f32(3)],
    wrong: [
      typeError("phase as a Float64Array", (a) => { a[0] = new Float64Array(3); }, "unitPhasor: argument 1 (phase) must be a Float32Array, got a Float64Array"),
      rangeError("out.im too short", (a) => { a[2] = f32(2); }, "unitPhasor: argument 3 (out.im) has 2 elements, needs 3"),
    ],
  },
  {
    entry: "phaseGradient",
    valid: () => [f32(3), f32(3), f32(3), f32(3), f32(3)],
    wrong: [
      typeError("out as a Float64Array", (a) => { a[4] = new Float64Array(3); }, "phaseGradient: argument 5 (out) must be a Float32Array, got a Float64Array"),
      rangeError("transmission.im too short", (a) => { a[3] = f32(2); }, "phaseGradient: argument 4 (transmission.im) has 2 elements, needs 3"),
    ],
  },
  {
    entry: "adamUpdateArrays",
    valid: () => [f32(3), f32(3), f32(3), f32(3), Float64Array.of(0.9, 0.999, 1e-8, 0.1, 0)],
    wrong: [
      rangeError("g too short", (a) => { a[3] = f32(2); }, "adamUpdateArrays: argument 4 (g) has 2 elements, needs 3"),
      typeError("hyper as a Float32Array", (a) => { a[4] = f32(5); }, "adamUpdateArrays: argument 5 (hyper [beta1, beta2, epsilon, stepSize, decay]) must be a Float64Array, got a Float32Array"),
    ],
  },
  {
    entry: "adviseHugePages",
    valid: () => [f32(3)],
    wrong: [
      typeError("a Float64Array", (a) => { a[0] = new Float64Array(3); }, "adviseHugePages: argument 1 (array) must be a Float32Array, got a Float64Array"),
    ],
  },
  {
    entry: "complexGemm",
    // [m, n, k, opA, opB, batch, strideA, strideB, strideC, accumulate, lda, ldc]
    valid: () => [Int32Array.of(2, 2, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0), f32(4), f32(4), f32(4), f32(4), f32(4), f32(4)],
    shape: {
      index: 0,
      fields: [["m", 1], ["n", 1], ["k", 1], ["opA", 0, 2, MATRIX_OP], ["opB", 0, 2, MATRIX_OP], ["batch", 1], ["strideA", 0], ["strideB", 0],
        ["strideC", 0], ["accumulate", 0, 1, FLAG], ["lda", 0], ["ldc", 0]],
    },
    wrong: [
      // complexGemm reads a zero strideC as m ldc: two products of A would write 8 values into C's 4.
      rangeError("two products into one C", (a) => { a[0] = Int32Array.of(2, 2, 2, 0, 0, 2, 4, 0, 0, 0, 0, 0); a[1] = f32(8); a[2] = f32(8); },
        "complexGemm: argument 1 (shape) field 8 (strideC) must be >= (m - 1) ldc + n = 4 when batch > 1 (outputs may not overlap), got 0"),
      rangeError("c.im too short for two products", (a) => { a[0] = Int32Array.of(2, 2, 2, 0, 0, 2, 0, 0, 4, 0, 0, 0); a[5] = f32(8); },
        "complexGemm: argument 7 (c.im) has 4 elements, needs 8"),
      rangeError("a row stride shorter than A's rows", (a) => { a[0] = Int32Array.of(2, 2, 2, 0, 0, 1, 0, 0, 0, 0, 1, 0); },
        "complexGemm: argument 1 (shape) field 10 (lda) must be 0 or >= the stored A's 2 columns, got 1"),
      rangeError("a.re too short for its row stride", (a) => { a[0] = Int32Array.of(2, 2, 2, 0, 0, 1, 0, 0, 0, 0, 3, 0); },
        "complexGemm: argument 2 (a.re) has 4 elements, needs 5"),
      rangeError("c.re too short for its row stride", (a) => { a[0] = Int32Array.of(2, 2, 2, 0, 0, 1, 0, 0, 0, 0, 0, 4); },
        "complexGemm: argument 6 (c.re) has 4 elements, needs 6"),
      typeError("a.re as an Array", (a) => { a[1] = [0, 0, 0, 0]; }, "complexGemm: argument 2 (a.re) must be a Float32Array, got an Array"),
    ],
  },
  {
    entry: "multiplyByPlane",
    // [batch, planeSize, strideX, strideOut, conjugate]
    valid: () => [Int32Array.of(2, 3, 3, 4, 1), f32(6), f32(6), f32(3), f32(3), f32(7), f32(7)],
    shape: { index: 0, fields: [["batch", 1], ["planeSize", 1], ["strideX", 0], ["strideOut", 0], ["conjugate", 0, 1, FLAG]] },
    wrong: [
      rangeError("overlapping outputs", (a) => { a[0] = Int32Array.of(2, 3, 3, 2, 0); },
        "multiplyByPlane: argument 1 (shape) strideOut must be >= planeSize = 3 when batch > 1, got 2"),
      rangeError("out.im too short for the batch", (a) => { a[6] = f32(6); }, "multiplyByPlane: argument 7 (out.im) has 6 elements, needs 7"),
      rangeError("plane.re shorter than a plane", (a) => { a[3] = f32(2); }, "multiplyByPlane: argument 4 (plane.re) has 2 elements, needs 3"),
      typeError("x.im as an Array", (a) => { a[2] = [0, 0, 0, 0, 0, 0]; }, "multiplyByPlane: argument 3 (x.im) must be a Float32Array, got an Array"),
    ],
  },
  {
    entry: "phaseWindowForward",
    // [batch, size, stride, bands, samples, windowStride, rank], bandStarts, phase, weight.re, weight.im, transforms, factors, window.re, window.im
    valid: () => [Int32Array.of(2, 3, 9, 2, 2, 5, 1), Int32Array.of(0, 1, 3), f32(18), f32(9), f32(9), f32(36), f32(42), f32(9), f32(9)],
    shape: { index: 0, fields: [["batch", 1], ["size", 1], ["stride", 0], ["bands", 1], ["samples", 1], ["windowStride", 0], ["rank", 0]] },
    wrong: [
      rangeError("bands short of the plane", (a) => { a[1] = Int32Array.of(0, 1, 2); }, "phaseWindowForward: argument 2 (bandStarts) must run from 0 to size = 3"),
      rangeError("an empty band", (a) => { a[1] = Int32Array.of(0, 0, 3); }, "phaseWindowForward: argument 2 (bandStarts) must increase"),
      rangeError("overlapping items", (a) => { a[0] = Int32Array.of(2, 3, 8, 2, 2, 5, 1); }, "phaseWindowForward: argument 1 (shape) stride must be >= size^2 = 9 when batch > 1"),
      rangeError("overlapping windows", (a) => { a[0] = Int32Array.of(2, 3, 9, 2, 2, 3, 1); }, "phaseWindowForward: argument 1 (shape) windowStride must be >= samples^2 = 4 when batch > 1"),
      rangeError("factors wider than the window", (a) => { a[0] = Int32Array.of(2, 3, 9, 2, 2, 5, 3); }, "phaseWindowForward: argument 1 (shape) rank must be from 0 (dense) to samples = 2"),
      rangeError("window.im too short for the batch", (a) => { a[8] = f32(8); }, "phaseWindowForward: argument 9 (window.im) has 8 elements, needs 9"),
      rangeError("transforms short of a tile", (a) => { a[5] = f32(35); }, "phaseWindowForward: argument 6 (transforms) has 35 elements, needs 36"),
      rangeError("factors short of a tile", (a) => { a[6] = f32(41); }, "phaseWindowForward: argument 7 (factors) has 41 elements, needs 42"),
      rangeError("weight.re shorter than a plane", (a) => { a[3] = f32(8); }, "phaseWindowForward: argument 4 (weight.re) has 8 elements, needs 9"),
      typeError("phase as an Array", (a) => { a[2] = new Array(18).fill(0); }, "phaseWindowForward: argument 3 (phase) must be a Float32Array, got an Array"),
    ],
  },
  {
    entry: "phaseWindowAdjoint",
    // the forward's operands, then itemFlags, gradient, m, v, hyper, best: here the Adam step keeping item 0's best
    valid: () => [Int32Array.of(2, 3, 9, 2, 2, 5, 1), Int32Array.of(0, 1, 3), f32(18), f32(0), f32(0), f32(36), f32(42), f32(9), f32(9), Int32Array.of(3, 1), f32(0), f32(18), f32(18), Float64Array.of(0.9, 0.999, 1e-8, 1e-3, 0), f32(18)],
    shape: { index: 0, fields: [["batch", 1], ["size", 1], ["stride", 0], ["bands", 1], ["samples", 1], ["windowStride", 0], ["rank", 0]] },
    wrong: [
      rangeError("a flag per item missing", (a) => { a[9] = Int32Array.of(1); }, "phaseWindowAdjoint: argument 10 (itemFlags) must have 2 values, has 1"),
      rangeError("v too short for the batch", (a) => { a[12] = f32(17); }, "phaseWindowAdjoint: argument 13 (v) has 17 elements, needs 18"),
      rangeError("no best to copy to", (a) => { a[14] = f32(0); }, "phaseWindowAdjoint: argument 15 (best) has 0 elements, needs 18"),
      rangeError("a short gradient", (a) => { a[10] = f32(17); }, "phaseWindowAdjoint: argument 11 (gradient) has 17 elements, needs 18"),
      typeError("hyper as a Float32Array", (a) => { a[13] = f32(5); }, "phaseWindowAdjoint: argument 14 (hyper [beta1, beta2, epsilon, stepSize, decay]) must be a Float64Array, got a Float32Array"),
    ],
  },
  {
    entry: "phaseWindowProductSeconds",
    // the forward's shape (rank unused), bandStarts, transforms, then the seconds it writes
    valid: () => [Int32Array.of(2, 3, 9, 2, 2, 5, 0), Int32Array.of(0, 1, 3), f32(36), new Float64Array(1)],
    shape: { index: 0, fields: [["batch", 1], ["size", 1], ["stride", 0], ["bands", 1], ["samples", 1], ["windowStride", 0], ["rank", 0]] },
    wrong: [
      rangeError("transforms short of a tile", (a) => { a[2] = f32(30); }, "phaseWindowProductSeconds: argument 3 (transforms) has 30 elements, needs 36"),
      rangeError("no room for the seconds", (a) => { a[3] = new Float64Array(0); }, "phaseWindowProductSeconds: argument 4 (seconds) must have 1 values, has 0"),
    ],
  },
  {
    entry: "setLayout",
    valid: () => [nativeAddon().info().layout],
    wrong: [
      typeError("layout as a number", (a) => { a[0] = 1; }, "setLayout: argument 1 (layout) must be a string, got a number"),
      rangeError("unknown layout", (a) => { a[0] = "nchw"; }, "setLayout: argument 1 (layout) must be \"any\" or \"nhwc\", got \"nchw\""),
    ],
  },
  { entry: "info", valid: () => [], wrong: [] },
];

function call(entry: Entry, args: Args): unknown {
  return (nativeAddon()[entry] as (...a: unknown[]) => unknown)(...args);
}

function assertThrows(entry: Entry, args: Args, error: typeof TypeError | typeof RangeError, message: string, why: string): void {
  assert.throws(() => call(entry, args), (e: unknown) => {
    assert.ok(e instanceof error, `${why}: expected a ${error.name}, got ${String(e)}`);
    assert.equal((e as Error).message, message, why);
    return true;
  }, `${why}: no error`);
}

/** For every shape field: the value just below its range and, for bounded fields, just above. */
function fieldOutOfRange(c: EntryCase): WrongCall[] {
  if (!c.shape) return [];
  const { index, fields } = c.shape;
  return fields.flatMap(([name, min, max, allowed], i) => {
    const range = allowed ?? (max === undefined ? `>= ${min}` : `in [${min}, ${max}]`);
    return [min - 1, ...(max === undefined ? [] : [max + 1])].map((value) =>
      rangeError(`shape field ${name} = ${value}`, (a) => { (a[index] as Int32Array)[i] = value; },
        `${c.entry}: argument ${index + 1} (shape) field ${i} (${name}) must be ${range}, got ${value}`));
  });
}

test("the cases cover every function the addon exports", { skip: addonSkip() }, () => {
  assert.deepEqual(CASES.map((c) => c.entry).sort(), Object.keys(nativeAddon()).sort());
});

for (const c of CASES) {
  test(`${c.entry}: a valid call passes; wrong counts, types and values throw naming the argument`, { skip: addonSkip() }, () => {
    call(c.entry, c.valid());
    const count = c.valid().length;
    if (count > 0) {
      assertThrows(c.entry, c.valid().slice(0, -1), TypeError, `${c.entry}: expects ${count} arguments, got ${count - 1}`, "one argument short");
    }
    assertThrows(c.entry, [...c.valid(), 0], TypeError, `${c.entry}: expects ${count} arguments, got ${count + 1}`, "one argument more");
    for (const wrong of [...c.wrong, ...fieldOutOfRange(c)]) {
      const args = c.valid();
      wrong.change(args);
      assertThrows(c.entry, args, wrong.error, wrong.message, wrong.why);
    }
  });
}

// Runs after every wrong call above (tests in a file run in order, in this one process).
test("after the wrong calls the addon still computes: a 3x3 box filter on a 4x4 image of ones", { skip: addonSkip() }, () => {
  const floats = new Float32Array(heap.buffer);
  floats.fill(0);
  floats.fill(1, 0, 25);
  call("conv2d", [heap, convShape(), 0, 64, -1, 128, 0]);
  // 'same' padding: corners see 4 ones, edges 6, the inside 9.
  assert.deepEqual([...floats.subarray(32, 48)], [4, 6, 6, 4, 6, 9, 9, 6, 6, 9, 9, 6, 4, 6, 6, 4]);
});
