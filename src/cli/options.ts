import type { z } from "zod";
import { zodIssueLines } from "./errors.js";

/**
 * Validates CLI options with a zod schema; on failure throws one error naming each bad option
 * as the user typed it (`--steps`), with what is expected.
 */
export function parseOptions<T extends z.ZodTypeAny>(schema: T, raw: unknown): z.infer<T> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new Error(`invalid options:\n  ${zodIssueLines(result.error.issues).join("\n  ")}`);
}

/** Where a batch size came from, for the fix an error names. */
export type BatchSizeSource = { flag: "--batch-size" } | { preset: string; hasFlag: boolean } | { run: string };

/**
 * Refuses, before anything is written, a batch larger than the training split (an epoch would hold no
 * batch), naming where the batch size came from and what to change.
 */
export function checkBatchFits(batchSize: number, trainSamples: number, data: string, source: BatchSizeSource): void {
  if (batchSize <= trainSamples) return;
  const what = `exceeds the ${trainSamples} training samples of --data ${data}`;
  if ("flag" in source) throw new Error(`--batch-size ${batchSize} ${what}; give --batch-size ${trainSamples} or less (nothing was written)`);
  if ("preset" in source) {
    const flag = source.hasFlag ? `pass --batch-size ${trainSamples} or less, or ` : "";
    throw new Error(`the ${source.preset} preset's batch size ${batchSize} ${what}; ${flag}use a data set with at least ${batchSize} training samples (nothing was written)`);
  }
  throw new Error(`the run's batch size ${batchSize} (${source.run}) ${what}; resume on the data set the run was trained on (nothing was written)`);
}
