import * as tf from "@tensorflow/tfjs";
import type { AdamStep } from "./adam-step.js";
import { ADAM_UPDATE_KERNEL, hasKernel } from "./training-kernels.js";

export type { AdamStep };

/** One variable of an update: its weights, moments and gradient (all of the weights' shape). */
export interface AdamSlot {
  w: tf.Tensor;
  m: tf.Tensor;
  v: tf.Tensor;
  g: tf.Tensor;
}

function assertSlotShapes({ w, m, v, g }: AdamSlot, caller: string): void {
  for (const [name, t] of [["m", m], ["v", v], ["gradient", g]] as const) {
    tf.util.assertShapesMatch(w.shape, t.shape, `${caller}: weights and ${name}`);
  }
}

/**
 * One Adam(W) update of a weight tensor and its moments, returning new tensors [w', m', v'] (the
 * formula of adam-step.ts).
 * One fused kernel where the engine has it (one pass instead of ~12 element-wise kernels), otherwise
 * composed from tfjs ops.
 */
export function adamUpdate(w: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, step: AdamStep): [tf.Tensor, tf.Tensor, tf.Tensor] {
  assertSlotShapes({ w, m, v, g }, "adamUpdate");
  if ([w, m, v, g].every((t) => t.dtype === "float32") && hasKernel(ADAM_UPDATE_KERNEL)) {
    return tf.engine().runKernel(ADAM_UPDATE_KERNEL, { w, m, v, g }, { ...step }) as [tf.Tensor, tf.Tensor, tf.Tensor];
  }
  return tf.tidy(() => {
    const mNext = tf.add(tf.mul(m, step.beta1), tf.mul(g, 1 - step.beta1));
    const vNext = tf.add(tf.mul(v, step.beta2), tf.mul(tf.square(g), 1 - step.beta2));
    let wNext = tf.sub(w, tf.mul(step.stepSize, tf.div(mNext, tf.add(tf.sqrt(vNext), step.epsilon))));
    if (step.decay > 0) wNext = tf.sub(wNext, tf.mul(step.decay, w));
    return [wNext, mNext, vNext];
  });
}

/** Overwrites every slot's w, m and v with the update, or returns false without touching anything. */
export type InPlaceAdam = (slots: AdamSlot[], step: AdamStep) => boolean;

let inPlaceAdam: InPlaceAdam | null = null;

/** Lets an engine offer an in-place update (the native engine does); null withdraws it. */
export function provideInPlaceAdam(update: InPlaceAdam | null): void {
  inPlaceAdam = update;
}

/**
 * The update of adamUpdate for many variables at once, written into their own weights and moments
 * (no new tensors, no assign) where the engine offers it; returns false, touching nothing, where it
 * does not (then use adamUpdate). An engine declines, among other cases, when a weight or moment
 * shares its data with another tensor (a clone kept by the caller), which must not change.
 */
export function adamUpdateInPlace(slots: AdamSlot[], step: AdamStep): boolean {
  for (const slot of slots) assertSlotShapes(slot, "adamUpdateInPlace");
  return inPlaceAdam !== null && inPlaceAdam(slots, step);
}
