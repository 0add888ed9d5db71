import * as tf from "@tensorflow/tfjs";

/**
 * Names of optocnn's own training kernels. An engine may register a fused implementation under these
 * names (the native engine does, on wasm); the ops in activation-bias-grad.ts, adam-update.ts and
 * upsample-concat.ts compose stock tfjs ops where none is registered, so every backend gives the same
 * results within rounding.
 */
export const ACTIVATION_BIAS_GRAD_KERNEL = "OptocnnActivationBiasGrad";
export const ADAM_UPDATE_KERNEL = "OptocnnAdamUpdate";
export const UPSAMPLE_CONCAT_KERNEL = "OptocnnUpsampleConcat";
export const UPSAMPLE_CONCAT_GRAD_KERNEL = "OptocnnUpsampleConcatGrad";

/** True when the active backend has a kernel registered under `name`. */
export function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
