import type { Command } from "commander";
import { z } from "zod";
import { parseOptions, stageOptions } from "../options.js";

const STAGE = stageOptions({ preset: "the experiment the notebooks use", out: "where HTML exports go (default: the project's figures/)" });
const NotebookOptions = z.object({
  ...STAGE.fields,
  dir: z.string().min(1).optional(),
  timeout: z.coerce.number().int().positive({ message: "must be a positive number of seconds" }),
  only: z.string().optional(),
});

export function register(program: Command): void {
  STAGE.addTo(program.command("notebooks").description("execute every notebook headless (numbered order) and export HTML next to the figures"))
    .option("--dir <dir>", "notebook folder (default: the project's notebooks/)")
    .option("--timeout <seconds>", "per-cell execution timeout", "1800")
    .option("--only <text>", "run only notebooks whose file name contains this text")
    .action(async (raw) => {
      const options = parseOptions(NotebookOptions, raw);
      const { runNotebooks } = await import("../../pipeline/run-notebooks.js");
      const { publishNotebookExports } = await import("../../viz/publish-exports.js");
      const { listNotebooks } = await import("../../pipeline/notebook-runner.js");
      const { PROJECT_ROOT } = await import("../../io/paths.js");
      const { join } = await import("node:path");
      const run = await runNotebooks(options);
      // The index covers every notebook of the folder, also those --only skipped (their earlier exports).
      const { index } = publishNotebookExports(run.out, listNotebooks(options.dir ?? join(PROJECT_ROOT, "notebooks")));
      console.error(`optocnn: index of figures and exports: ${index}`);
      if (!run.ok) process.exitCode = 1;
    });
}
