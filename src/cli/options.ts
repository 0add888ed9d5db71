import type { Command } from "commander";
import { z } from "zod";
import type { MismatchPolicy } from "../pipeline/artifact.js";
import { PRESET_NAMES, PresetNameSchema, defaultPresetName } from "../pipeline/presets.js";
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

const STAGE_FIELDS = {
  preset: PresetNameSchema,
  out: z.string().min(1, "give a directory").optional(),
  force: z.boolean().optional(),
};
type StageOption = keyof typeof STAGE_FIELDS;

/**
 * --preset, --out <dir> and --force, which the stage commands share: each command gives the help text
 * of those it has (what the preset sets, what --out holds, what --force replaces) and gets both their
 * declarations (`addTo`) and their zod fields (`fields`, to spread into its schema), so the flags, the
 * preset default (OPTOCNN_PRESET) and their checks are the same everywhere.
 */
export function stageOptions<T extends Partial<Record<StageOption, string>>>(help: T) {
  const names = (Object.keys(STAGE_FIELDS) as StageOption[]).filter((name) => help[name] !== undefined);
  return {
    fields: Object.fromEntries(names.map((name) => [name, STAGE_FIELDS[name]])) as Pick<typeof STAGE_FIELDS, keyof T & StageOption>,
    addTo(command: Command): Command {
      if (help.preset !== undefined) command.option("--preset <name>", `${help.preset}: ${PRESET_NAMES.join(", ")} (src/pipeline/presets.ts)`, defaultPresetName());
      if (help.out !== undefined) command.option("--out <dir>", help.out);
      if (help.force !== undefined) command.option("--force", help.force);
      return command;
    },
  };
}

/** --force: replace optocnn's own output made with other settings; without it such output is refused. */
export function mismatchPolicy(options: { force?: boolean }): MismatchPolicy {
  return options.force ? "recompute" : "refuse";
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
