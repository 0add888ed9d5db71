import { writeFileAtomic } from "../io/atomic.js";
import { DEPTH_METRIC_NAMES, type DepthMetrics } from "../eval/depth-metrics.js";

/** One row of metrics.csv: the training loss since the previous row and the validation metrics. */
export interface MetricsRow {
  step: number;
  epoch: number;
  trainSeconds: number;
  learningRate: number;
  trainLoss: number;
  val: DepthMetrics;
}

const COLUMNS = ["step", "epoch", "train_seconds", "lr", "train_loss", ...DEPTH_METRIC_NAMES.map((k) => `val_${k}`)];

/** Rewrites metrics.csv from the full history (atomically), so it always matches the checkpointed state. */
export function writeMetricsCsv(path: string, history: readonly MetricsRow[]): void {
  const lines = [COLUMNS.join(",")];
  for (const row of history) {
    lines.push([row.step, row.epoch, row.trainSeconds.toFixed(3), row.learningRate, row.trainLoss, ...DEPTH_METRIC_NAMES.map((k) => row.val[k])].join(","));
  }
  writeFileAtomic(path, lines.join("\n") + "\n");
}
