import * as tf from "@tensorflow/tfjs";
import type { DepthSplit } from "../data/types.js";
import { depthBatches, subsetSplit } from "../data/batches.js";
import { DepthMetricsAccumulator, type DepthMetrics } from "./depth-metrics.js";
import type { DepthEvalProtocol } from "./depth-protocol.js";

export type SetMetrics = DepthMetrics & { images: number; imagesWithoutValidDepth: number };

/**
 * Scores a depth predictor (rgb [B,H,W,3] -> depth [B,H,W,1] metres) on the first `limit` samples of a
 * split (all by default) under an evaluation protocol. Works for any front end: net.predict, or
 * backEnd(opticalLayer(rgb)).
 */
export async function evaluateDepth(
  predict: (rgb: tf.Tensor4D) => tf.Tensor4D,
  split: DepthSplit,
  options: { protocol: DepthEvalProtocol; batchSize?: number; limit?: number; onProgress?: (done: number, total: number) => void },
): Promise<SetMetrics> {
  const total = Math.min(options.limit ?? split.count, split.count);
  const batchSize = options.batchSize ?? 16;
  const pixels = split.height * split.width;
  const accumulator = new DepthMetricsAccumulator();
  const view = subsetSplit(split, Int32Array.from({ length: total }, (_, i) => i));
  let done = 0;
  for (const batch of depthBatches(view, { batchSize })) {
    const pred = tf.tidy(() => predict(batch.rgb));
    const [predValues, gtValues] = await Promise.all([pred.data(), batch.depth.data()]);
    const size = batch.rgb.shape[0];
    tf.dispose([pred, batch.rgb, batch.depth, batch.mask]);
    for (let b = 0; b < size; b++) {
      accumulator.add(predValues.subarray(b * pixels, (b + 1) * pixels), gtValues.subarray(b * pixels, (b + 1) * pixels), { protocol: options.protocol, height: split.height, width: split.width });
    }
    done += size;
    options.onProgress?.(done, total);
  }
  return accumulator.result();
}
