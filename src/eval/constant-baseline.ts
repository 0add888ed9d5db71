import type { DepthSplit } from "../data/types.js";
import { DepthMetricsAccumulator } from "./depth-metrics.js";
import type { DepthEvalProtocol } from "./depth-protocol.js";
import type { SetMetrics } from "./evaluate-depth.js";

/**
 * Constant-depth predictors fitted on the training split, the floor a depth network must beat:
 * - mean: the mean valid training depth;
 * - absRelOptimal: the constant minimising AbsRel over training pixels, i.e. the median of the depths
 *   weighted by 1/depth (found on a 4096-bin log-depth histogram, relative resolution < 0.2%).
 */
export interface ConstantBaselines {
  mean_m: number;
  absRelOptimal_m: number;
}

export function fitConstantBaselines(train: DepthSplit, depthRange_m: readonly [number, number]): ConstantBaselines {
  const bins = 4096;
  const [lo, hi] = depthRange_m;
  const logLo = Math.log(lo);
  const binWidth = (Math.log(hi) - logLo) / bins;
  const weights = new Float64Array(bins);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < train.count; i++) {
    const depth = train.get(i).depth_m;
    for (let p = 0; p < depth.length; p++) {
      const d = depth[p];
      if (!(d > 0) || !Number.isFinite(d)) continue;
      sum += d;
      count++;
      const bin = Math.min(bins - 1, Math.max(0, Math.floor((Math.log(d) - logLo) / binWidth)));
      weights[bin] += 1 / d;
    }
  }
  if (count === 0) throw new Error("constant baseline: the training split has no valid depth");
  const half = weights.reduce((a, b) => a + b, 0) / 2;
  let cumulative = 0;
  let bin = 0;
  while (bin < bins - 1 && cumulative + weights[bin] < half) cumulative += weights[bin++];
  return { mean_m: sum / count, absRelOptimal_m: Math.exp(logLo + (bin + 0.5) * binWidth) };
}

/** Metrics of predicting `depth_m` everywhere on a split (same conventions as evaluateDepth). */
export function evaluateConstant(depth_m: number, split: DepthSplit, protocol: DepthEvalProtocol): SetMetrics {
  const accumulator = new DepthMetricsAccumulator();
  let pred = new Float32Array(0);
  for (let i = 0; i < split.count; i++) {
    const gt = split.get(i).depth_m;
    if (pred.length !== gt.length) pred = new Float32Array(gt.length).fill(depth_m);
    accumulator.add(pred, gt, { protocol, height: split.height, width: split.width });
  }
  return accumulator.result();
}
