import * as tf from "@tensorflow/tfjs";

/**
 * The first layer of a depth network: whatever turns the RGB image into the K feature maps the
 * electronic back end reads. The electronic network uses a plain convolution; DKO swaps in the realised
 * optical kernels (fixed), end-to-end design swaps in a simulated optical layer (trainable).
 */
export interface FirstLayer {
  /** One line recorded in config.json, e.g. "electronic conv 16x7x7 stride 2". */
  readonly description: string;
  /** Number of feature maps K it produces. */
  readonly outChannels: number;
  /** Downsampling factor s: [B,H,W,3] -> [B,H/s,W/s,K]. */
  readonly stride: number;
  /** Feature maps of an RGB batch (HWC, values in [0,1], not normalised: optics sees raw intensity). */
  apply(rgb: tf.Tensor4D): tf.Tensor4D;
  /** Variables trained together with the back end, by stable name (saved in checkpoints); empty when fixed. */
  readonly trainableVariables: ReadonlyMap<string, tf.Variable>;
}

/**
 * A first layer that is one convolution: kernel [kh, kw, 3, K] (tfjs HWIO), the given stride,
 * TensorFlow 'same' padding, no bias. CNN convolution is a correlation (no kernel flip).
 * With `trainable`, the kernel must be a tf.Variable and is exposed under `variableName`.
 */
export function convFirstLayer(
  kernel: tf.Tensor4D,
  stride: number,
  options: { trainable: boolean; description?: string; variableName?: string },
): FirstLayer {
  const [kh, kw, inChannels, outChannels] = kernel.shape;
  if (inChannels !== 3) throw new Error(`first-layer kernel must be [kh, kw, 3, K] (HWIO); got [${kernel.shape.join(", ")}]`);
  if (options.trainable && !(kernel instanceof tf.Variable)) {
    throw new Error("a trainable first layer needs its kernel as a tf.Variable (tf.variable(kernel))");
  }
  const variables = new Map<string, tf.Variable>();
  if (options.trainable) variables.set(options.variableName ?? "first.kernel", kernel as tf.Variable);
  return {
    description: options.description ?? `conv ${outChannels}x${kh}x${kw} stride ${stride}${options.trainable ? "" : " (fixed)"}`,
    outChannels,
    stride,
    apply: (rgb) => tf.conv2d(rgb, kernel, stride, "same"),
    trainableVariables: variables,
  };
}
