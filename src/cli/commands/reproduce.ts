import type { Command } from "commander";
import { z } from "zod";
import { parseOptions, stageOptions } from "../options.js";

const STAGE = stageOptions({ preset: "the experiment" });
const ReproduceOptions = z.object({
  ...STAGE.fields,
  timeout: z.coerce.number().int().positive({ message: "must be a positive number of seconds" }),
});

export function register(program: Command): void {
  STAGE.addTo(program.command("reproduce").description("run every notebook on a preset (data, stage-1 CNN, DKO, PSFs, comparison) and export HTML + figures"))
    .option("--timeout <seconds>", "per-cell execution timeout", "3600")
    .action(async (raw) => {
      const options = parseOptions(ReproduceOptions, raw);
      const { runNotebooks } = await import("../../pipeline/run-notebooks.js");
      const { publishNotebookExports } = await import("../../viz/publish-exports.js");
      const run = await runNotebooks({ timeout: options.timeout, preset: options.preset });
      // The index also lists what a failed run did not produce.
      const { index, exports } = publishNotebookExports(run.out, run.notebooks);
      for (const e of exports) console.log(`  ${e.html}: ${(e.bytes / 1e6).toFixed(2)} MB`);
      if (!run.ok) process.exitCode = 1;
      else console.log(`optocnn: reproduce finished; open ${index} (every figure, table and notebook export)`);
    });
}
