import { z } from "zod";
import { DEPTH_METRIC_NAMES } from "./depth-metrics.js";

/** SetMetrics (evaluate-depth.ts) as read back from a summary file. */
export const SetMetricsSchema = z
  .object({
    ...Object.fromEntries(DEPTH_METRIC_NAMES.map((name) => [name, z.number()])),
    images: z.number().int(),
    imagesWithoutValidDepth: z.number().int(),
  })
  .passthrough();
