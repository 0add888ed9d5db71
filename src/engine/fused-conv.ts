import * as tf from "@tensorflow/tfjs";
import { activationBiasGrad, type FusedActivation } from "./activation-bias-grad.js";

export interface FusedConvOptions {
  strides?: number | [number, number];
  pad: "same" | "valid";
  activation: FusedActivation;
}

/**
 * Gradient of the FusedConv2D kernel (NHWC, bias, linear, ReLU or ELU). tfjs registers none: its
 * tf.fused.conv2d splits into Conv2D + Add + Relu whenever gradients are recorded, which costs three
 * kernels forward and four (Step, Cast, Multiply, Sum) backward per layer besides the convolution
 * gradients. With this gradient a layer is one kernel forward and, backward, one pass for the
 * activation's derivative and the bias sum plus the two convolution gradients; the tape asks only for the gradients it needs
 * (no input gradient for the image layer).
 */
function registerFusedConvGradient(): void {
  if (tf.getGradient(tf.FusedConv2D)) return;
  tf.registerGradient({
    kernelName: tf.FusedConv2D,
    // Not the bias: its gradient has the bias' shape [outChannels] by construction (tfjs checks it), and
    // every saved tensor costs a clone kernel per layer and step.
    inputsToSave: ["x", "filter"],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved;
      const { strides, pad, dataFormat, dilations, dimRoundingMode, activation } = attrs as unknown as tf.FusedConv2DAttrs;
      if (activation !== "linear" && activation !== "relu" && activation !== "elu") {
        throw new Error(`FusedConv2D gradient: activation "${activation}" is not supported; use linear, relu or elu`);
      }
      if (dataFormat !== "NHWC") throw new Error("FusedConv2D gradient: only NHWC is supported");
      if (!tf.backend_util.eitherStridesOrDilationsAreOne(strides, dilations ?? 1)) {
        throw new Error("FusedConv2D gradient: strides and dilations cannot both exceed 1");
      }
      // Computed here, not inside the per-input closures: the tape runs each closure in its own tidy.
      const nonlinear = activation === "linear" ? null : activationBiasGrad(dy as tf.Tensor4D, y as tf.Tensor4D, activation);
      const dyLinear = nonlinear ? nonlinear.dz : (dy as tf.Tensor4D);
      const convAttrs = { strides, pad, dataFormat, dimRoundingMode };
      return {
        x: () => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dyLinear, filter }, { ...convAttrs, inputShape: x.shape }) as tf.Tensor,
        filter: () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: dyLinear }, { ...convAttrs, filterShape: filter.shape }) as tf.Tensor,
        bias: () => (nonlinear ? nonlinear.dbias : tf.sum(dyLinear, [0, 1, 2])),
      };
    },
  });
}

/**
 * activation(conv2d(x, filter) + bias) for NHWC batches as one FusedConv2D kernel, also while
 * gradients are recorded (see registerFusedConvGradient). bias is [outChannels].
 */
export function conv2dBiasActivation(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, options: FusedConvOptions): tf.Tensor4D {
  registerFusedConvGradient();
  if (bias.rank !== 1 || bias.shape[0] !== filter.shape[3]) {
    throw new Error(`conv2dBiasActivation: bias must be [${filter.shape[3]}] (one per output channel), got [${bias.shape}]`);
  }
  const attrs = {
    strides: options.strides ?? 1,
    pad: options.pad,
    dataFormat: "NHWC",
    dilations: 1,
    dimRoundingMode: undefined,
    activation: options.activation,
    leakyreluAlpha: 0.2,
  };
  return tf.engine().runKernel(tf.FusedConv2D, { x, filter, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
