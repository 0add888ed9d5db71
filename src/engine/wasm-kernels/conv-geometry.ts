import * as tf from "@tensorflow/tfjs";

type Shape4D = [number, number, number, number];
type Conv2DInfo = tf.backend_util.Conv2DInfo;

/** The conv attributes the backprop kernels receive from tfjs-core (dilations only on depthwise ones). */
export interface ConvBackpropAttrs {
  strides: number | [number, number];
  pad: "same" | "valid" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
  dilations?: number | [number, number];
  dataFormat?: "NHWC" | "NCHW";
}

/** Forward-pass geometry (padding, output size) of the convolution being differentiated. */
export function forwardConvInfo(
  inputShape: number[],
  filterShape: number[],
  attrs: ConvBackpropAttrs,
  depthwise: boolean,
): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inputShape as Shape4D,
    filterShape as Shape4D,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat ?? "NHWC"),
  );
}

/**
 * Padding [before, after] that makes a stride-`step`, dilation-`dilation` correlation of an axis of
 * `inputLength` with a `taps`-long kernel produce exactly `outputLength` values, given `before`.
 * A negative `after` means the input must be cropped.
 */
export function trailingPadding(
  inputLength: number,
  before: number,
  taps: number,
  dilation: number,
  step: number,
  outputLength: number,
): [number, number] {
  const span = (taps - 1) * dilation + 1;
  return [before, (outputLength - 1) * step + span - inputLength - before];
}

/** Fails loudly if a gradient's shape disagrees with the forward geometry (caller passed wrong shapes). */
export function assertGradientShape(kernel: string, actual: number[], expected: number[]): void {
  if (actual.length !== expected.length || actual.some((n, i) => n !== expected[i])) {
    throw new Error(`${kernel}: dy has shape [${actual}] but the forward convolution produces [${expected}]`);
  }
}
