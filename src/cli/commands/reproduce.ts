import type { Command } from "commander";
import { z } from "zod";
import { parseOptions } from "../options.js";
import { PRESET_NAMES, PresetNameSchema, defaultPresetName } from "../../pipeline/presets.js";

const ReproduceOptions = z.object({
  preset: PresetNameSchema,
  timeout: z.coerce.number().int().positive({ message: "must be a positive number of seconds" }),
});

export function register(program: Command): void {
  program
    .command("reproduce")
    .description("run every notebook on a preset (data, stage-1 CNN, DKO, PSFs, comparison) and export HTML + figures")
    .option("--preset <name>", `experiment preset (${PRESET_NAMES.join(", ")}; src/pipeline/presets.ts)`, defaultPresetName())
    .option("--timeout <seconds>", "per-cell execution timeout", "3600")
    .action(async (raw) => {
      const options = parseOptions(ReproduceOptions, raw);
      const { runNotebooks } = await import("../../pipeline/run-notebooks.js");
      const { PROJECT_ROOT } = await import("../../io/paths.js");
      const { join } = await import("node:path");
      const ok = await runNotebooks({ timeout: options.timeout, preset: options.preset });
      if (!ok) process.exitCode = 1;
      else console.log(`optocnn: reproduce finished; HTML and figures are in ${join(PROJECT_ROOT, "figures")}`);
    });
}
