import * as aq from "arquero";
import { DEPTH_METRIC_NAMES, type DepthMetrics } from "../eval/depth-metrics.js";

/** One row per predictor, one column per depth metric (lower is better except the delta columns). */
export function depthMetricsTable(rows: { predictor: string; metrics: DepthMetrics }[]): aq.ColumnTable {
  return aq.from(
    rows.map((row) => {
      const record: Record<string, string | number> = { predictor: row.predictor };
      for (const name of DEPTH_METRIC_NAMES) record[name] = Number(row.metrics[name].toFixed(4));
      return record;
    }),
  );
}
