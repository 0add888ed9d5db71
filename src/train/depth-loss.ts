import * as tf from "@tensorflow/tfjs";

/**
 * Scale-invariant log loss (Eigen et al. 2014, as in BTS/AdaBins) on metric depth over valid pixels:
 *   d = log(pred) - log(gt),  loss = sqrt(mean(d^2) - lambda * mean(d)^2)
 * Chosen over L1 on inverse depth because it weighs near and far pixels by relative error, which is what
 * AbsRel and the delta thresholds measure; with lambda < 1 the absolute scale is still learned
 * (lambda = 0.85 keeps 15% of the plain log-L2 mean term). The mean runs over all valid pixels of the batch.
 * pred, gt, mask: [B, H, W, 1]; mask is 1 where gt is valid.
 */
export function silogLoss(pred: tf.Tensor4D, gt: tf.Tensor4D, mask: tf.Tensor4D, lambda: number): tf.Scalar {
  return tf.tidy(() => {
    // Invalid pixels get pred = gt = 1 before the log, so no -inf or NaN leaks into the sums or gradients.
    const valid = tf.greater(mask, 0);
    const ones = tf.onesLike(gt);
    const d = tf.sub(tf.log(tf.where(valid, pred, ones)), tf.log(tf.where(valid, gt, ones)));
    const count = tf.maximum(tf.sum(mask), 1);
    const mean = tf.div(tf.sum(d), count);
    const meanSquare = tf.div(tf.sum(tf.square(d)), count);
    return tf.sqrt(tf.add(tf.sub(meanSquare, tf.mul(lambda, tf.square(mean))), 1e-8)) as tf.Scalar;
  });
}
