import * as tf from "@tensorflow/tfjs";
import { ACTIVATION_CODES, type FusedActivation } from "../../activation-bias-grad.js";
import type { NativeAddon } from "../addon.js";
import { allFloat32, currentHeap, heapOffset, type NativeKernel, type WasmKernelArgs } from "../wasm-heap.js";
import { plainAndFused } from "./plain-and-fused.js";

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
type PadAttr = "valid" | "same" | number | tf.backend_util.ExplicitPadding;

interface ConvAttrs {
  strides: [number, number] | number;
  pad: PadAttr;
  dataFormat: "NHWC" | "NCHW";
  dilations?: [number, number] | number;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/**
 * The ConvShape fields of src/engine/native/src/conv.h, or null when oneDNN's output-size rule
 * (floor division) would disagree with tfjs' (e.g. dimRoundingMode "ceil") or the layout is NCHW.
 */
function convShape(info: Conv2DInfo): Int32Array | null {
  if (info.dataFormat !== "channelsLast") return null;
  const { top, left, bottom, right } = info.padInfo;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) return null;
  const rows = Math.floor((info.inHeight + top + bottom - info.effectiveFilterHeight) / info.strideHeight) + 1;
  const cols = Math.floor((info.inWidth + left + right - info.effectiveFilterWidth) / info.strideWidth) + 1;
  if (rows !== info.outHeight || cols !== info.outWidth) return null;
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outChannels,
    info.filterHeight, info.filterWidth, info.outHeight, info.outWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    top, left, bottom, right,
  ]);
}

interface PreparedConv {
  /** ConvShape fields, or null when the native kernel does not cover the call. */
  shape: Int32Array | null;
  outShape: number[];
  outChannels: number;
}

/**
 * Conv2D info and ConvShape per distinct call signature: a training step repeats the same few dozen,
 * and recomputing them was a visible share of the per-kernel JavaScript time.
 */
const prepared = new Map<string, PreparedConv>();

function prepare(xShape: number[], filterShape: number[], attrs: ConvAttrs): PreparedConv {
  const key = [xShape, filterShape, attrs.strides, JSON.stringify(attrs.pad), attrs.dilations ?? 1, attrs.dimRoundingMode, attrs.dataFormat].join("|");
  let entry = prepared.get(key);
  if (!entry) {
    const info = tf.backend_util.computeConv2DInfo(
      xShape as [number, number, number, number],
      filterShape as [number, number, number, number],
      attrs.strides,
      attrs.dilations ?? 1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
    );
    entry = { shape: convShape(info), outShape: info.outShape, outChannels: info.outChannels };
    prepared.set(key, entry);
  }
  return entry;
}

/** Attributes of the two gradient kernels: the shape of what each computes. */
type GradientAttrs = ConvAttrs & { inputShape: number[]; filterShape: number[] };

interface GradientGeometry {
  xShape: number[];
  filterShape: number[];
  outShape: number[];
}

/**
 * Conv2DBackpropInput or Conv2DBackpropFilter: two float32 inputs, named in the order the addon takes
 * them, and an output whose shape the attributes give (x's for the input gradient, the filter's for the
 * filter gradient).
 */
function gradientKernel(
  kernelName: string,
  inputNames: [string, string],
  geometry: (inputs: WasmKernelArgs["inputs"], attrs: GradientAttrs) => GradientGeometry,
  run: (heap: Uint8Array, shape: Int32Array, first: number, second: number, out: number) => void,
): NativeKernel {
  return {
    kernelName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const [first, second] = inputNames.map((name) => inputs[name]);
      const a = attrs as unknown as GradientAttrs;
      if (!allFloat32(first, second)) return null;
      const { xShape, filterShape, outShape } = geometry(inputs, a);
      const { shape } = prepare(xShape, filterShape, { ...a, dilations: 1 });
      if (!shape) return null;
      const out = backend.makeOutput(outShape, "float32");
      run(currentHeap(backend), shape, heapOffset(backend, first), heapOffset(backend, second), heapOffset(backend, out));
      return out;
    },
  };
}

/** Conv2D, FusedConv2D (bias, relu or elu), Conv2DBackpropInput and Conv2DBackpropFilter on oneDNN. */
export function convKernels(addon: NativeAddon): NativeKernel[] {
  const forward = ({ inputs, attrs, backend }: WasmKernelArgs, activation: string, bias?: tf.TensorInfo) => {
    const { x, filter } = inputs;
    if (!allFloat32(x, filter, bias) || !(activation in ACTIVATION_CODES)) return null;
    const { shape, outShape, outChannels } = prepare(x.shape, filter.shape, attrs as unknown as ConvAttrs);
    if (!shape || (bias && tf.util.sizeFromShape(bias.shape) !== outChannels)) return null;
    const out = backend.makeOutput(outShape, "float32");
    const biasOffset = bias ? heapOffset(backend, bias) : -1;
    addon.conv2d(currentHeap(backend), shape, heapOffset(backend, x), heapOffset(backend, filter), biasOffset,
      heapOffset(backend, out), ACTIVATION_CODES[activation as FusedActivation]);
    return out;
  };
  return [
    ...plainAndFused(tf.Conv2D, tf.FusedConv2D, forward),
    gradientKernel(tf.Conv2DBackpropInput, ["dy", "filter"],
      ({ filter }, a) => ({ xShape: a.inputShape, filterShape: filter.shape, outShape: a.inputShape }),
      (...call) => addon.conv2dBackpropInput(...call)),
    gradientKernel(tf.Conv2DBackpropFilter, ["x", "dy"],
      ({ x }, a) => ({ xShape: x.shape, filterShape: a.filterShape, outShape: a.filterShape }),
      (...call) => addon.conv2dBackpropFilter(...call)),
  ];
}
