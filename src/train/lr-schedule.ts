import type { TrainConfig } from "../models/depth-net-config.js";

/**
 * Learning rate at a point of the budget (progress in [0, 1]: steps done / step budget, or training
 * seconds / seconds budget, whichever is further): linear warm-up, then cosine decay to
 * finalLrFraction * learningRate. Tied to the budget so equal-time runs get comparable schedules.
 */
export function learningRateAt(progress: number, train: Pick<TrainConfig, "learningRate" | "warmupFraction" | "finalLrFraction">): number {
  const p = Math.min(Math.max(progress, 0), 1);
  const { learningRate, warmupFraction, finalLrFraction } = train;
  if (warmupFraction > 0 && p < warmupFraction) return learningRate * Math.max(p / warmupFraction, 0.01);
  const decay = warmupFraction < 1 ? (p - warmupFraction) / (1 - warmupFraction) : 1;
  const floor = learningRate * finalLrFraction;
  return floor + (learningRate - floor) * 0.5 * (1 + Math.cos(Math.PI * decay));
}
