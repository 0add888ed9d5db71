import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NativeOpticsAddon } from "./optics-addon.js";

/** A tensor operand: byte offset of float32 data inside the wasm heap view passed with the call. */
type HeapOffset = number;
/** Heap view (`backend.wasm.HEAPU8`), taken afresh per call because wasm memory growth detaches it. */
type Heap = Uint8Array;

/** Functions of the compiled addon: tensor kernels (src/addon.cc) and optics transforms (optics-addon.ts). */
export interface NativeAddon extends NativeOpticsAddon {
  /** out = Im(G conj(t)) over out's length (the phase vjp; src/typed_array_addon.cc). */
  phaseGradient(gradRe: Float32Array, gradIm: Float32Array, tRe: Float32Array, tIm: Float32Array, out: Float32Array): void;
  /** Adam(W) in place on Float32Arrays w, m, v given g; hyper = [beta1, beta2, epsilon, stepSize, decay] (see optimizer.h). */
  adamUpdateArrays(w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, hyper: Float64Array): void;
  /** Asks Linux for transparent huge pages over an array not yet written (src/typed_array_addon.cc). */
  adviseHugePages(array: Float32Array): void;
  /** shape: ConvShape fields; bias < 0 means none; activation: ACTIVATION_CODES (linear, relu, elu). */
  conv2d(heap: Heap, shape: Int32Array, x: HeapOffset, filter: HeapOffset, bias: HeapOffset, y: HeapOffset, activation: number): void;
  /** conv2d on optocnn's row products (src/conv_by_rows.cc) whatever oneDNN offers; dilations must be 1. */
  conv2dByRows(heap: Heap, shape: Int32Array, x: HeapOffset, filter: HeapOffset, bias: HeapOffset, y: HeapOffset, activation: number): void;
  /** The kernel conv2d runs for that call: oneDNN's implementation name, or "optocnn:rows (...)" where oneDNN offers only its reference kernel. */
  conv2dImplementation(shape: Int32Array, bias: number, activation: number): string;
  conv2dBackpropInput(heap: Heap, shape: Int32Array, dy: HeapOffset, filter: HeapOffset, dx: HeapOffset): void;
  conv2dBackpropFilter(heap: Heap, shape: Int32Array, x: HeapOffset, dy: HeapOffset, dfilter: HeapOffset): void;
  /** shape: [batchA, batchB, m, n, k, transposeA, transposeB]. */
  matmul(heap: Heap, shape: Int32Array, a: HeapOffset, b: HeapOffset, bias: HeapOffset, c: HeapOffset, relu: boolean): void;
  maxPool(heap: Heap, shape: Int32Array, x: HeapOffset, y: HeapOffset): void;
  maxPoolGrad(heap: Heap, shape: Int32Array, x: HeapOffset, dy: HeapOffset, dx: HeapOffset): void;
  /** Concat (split false) or SplitV: piece i is [outer, widths[i]] at offsets[i]; whole is [outer, sum of widths]. */
  joinAlongAxis(heap: Heap, outer: number, offsets: Float64Array, widths: Float64Array, whole: HeapOffset, split: boolean): void;
  /** shape: [batch, inHeight, inWidth, channels, outHeight, outWidth]; grad: x is dy (large), y is dx (small). */
  resizeNearest(heap: Heap, shape: Int32Array, sourceRows: Int32Array, sourceCols: Int32Array, x: HeapOffset, y: HeapOffset, grad: boolean): void;
  /**
   * shape: [batch, lowHeight, lowWidth, lowChannels, skipChannels]. Forward (grad false): a = low, b = skip,
   * c = out (2x nearest upsampled low, then skip, along channels); grad: a = dy, b = dlow, c = dskip.
   */
  upsampleConcat(heap: Heap, shape: Int32Array, a: HeapOffset, b: HeapOffset, c: HeapOffset, grad: boolean): void;
  /** Sum of an [outer, inner] array over outer (y has inner values) or over inner (y has outer values). */
  sumAxes(heap: Heap, x: HeapOffset, outer: number, inner: number, y: HeapOffset, overOuter: boolean): void;
  /** op 0 add, 1 multiply (b tiles a: same size or a trailing broadcast), 2 relu, 3 step(alpha); b < 0 for unary. */
  elementwise(heap: Heap, op: number, a: HeapOffset, b: HeapOffset, length: number, bLength: number, alpha: number, out: HeapOffset): void;
  /** dx = dy times the activation's derivative from its output y (ACTIVATION_CODES relu or elu), dbias = sum of dx over `outer`; [outer, channels]. */
  activationBiasGrad(heap: Heap, activation: number, dy: HeapOffset, y: HeapOffset, outer: number, channels: number, dx: HeapOffset, dbias: HeapOffset): void;
  /** Adam(W) in place for several variables: lengths[i] elements at offsets[4i..4i+3] = w, m, v, g. */
  adamUpdateInPlace(heap: Heap, lengths: Float64Array, offsets: Float64Array, hyper: Float64Array): void;
  /** Fused Adam(W) update of `length` weights; hyper = [beta1, beta2, epsilon, stepSize, decay] (see optimizer.h). */
  adamUpdate(
    heap: Heap,
    length: number,
    w: HeapOffset,
    m: HeapOffset,
    v: HeapOffset,
    g: HeapOffset,
    wOut: HeapOffset,
    mOut: HeapOffset,
    vOut: HeapOffset,
    hyper: Float64Array,
  ): void;
  /** Activation layout inside oneDNN primitives: `any` (blocked, with reorders) or `nhwc` (in place). */
  setLayout(layout: "any" | "nhwc"): void;
  info(): { onednn: string; fft: string; threads: number; layout: "any" | "nhwc" };
}

export type AddonLoad = { ok: true; addon: NativeAddon } | { ok: false; reason: string };

let loaded: AddonLoad | null = null;

/**
 * Directory of this source file. Found from the call stack rather than `import.meta` or `__dirname`,
 * because this file runs both as ESM (tsx) and as CommonJS (the tslab notebook kernel).
 */
function moduleDirectory(): string {
  const original = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    const frames = new Error().stack as unknown as NodeJS.CallSite[];
    const file = frames[0]?.getFileName();
    if (!file) throw new Error("cannot locate src/engine/native from the call stack");
    return dirname(file.startsWith("file:") ? fileURLToPath(file) : file);
  } finally {
    Error.prepareStackTrace = original;
  }
}

/** Why the install-time build did not produce the addon, from the status file build-native.mjs writes. */
function buildStatus(directory: string): string {
  const statusFile = join(directory, "build", "status.txt");
  if (!existsSync(statusFile)) return "never built (run `npm run build:native`)";
  const status = readFileSync(statusFile, "utf8").trim();
  return status.split("\n").slice(0, 4).join(" | ");
}

/** Loads the compiled addon once; on failure says why (missing build, missing shared library...). */
export function loadNativeAddon(): AddonLoad {
  if (loaded) return loaded;
  const directory = moduleDirectory();
  const binary = join(directory, "build", "Release", "optocnn_native.node");
  if (!existsSync(binary)) {
    loaded = { ok: false, reason: `native addon not built: ${buildStatus(directory)}` };
    return loaded;
  }
  try {
    const addon = createRequire(join(directory, "addon.ts"))(binary) as NativeAddon;
    loaded = { ok: true, addon };
  } catch (error) {
    loaded = { ok: false, reason: `native addon failed to load: ${(error as Error).message.split("\n")[0]}` };
  }
  return loaded;
}
