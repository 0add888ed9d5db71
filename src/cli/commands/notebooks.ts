import type { Command } from "commander";
import { z } from "zod";
import { parseOptions } from "../options.js";

const NotebookOptions = z.object({
  dir: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
  timeout: z.coerce.number().int().positive({ message: "must be a positive number of seconds" }),
  only: z.string().optional(),
  preset: z.enum(["tiny", "default", "paper"]),
});

export function register(program: Command): void {
  program
    .command("notebooks")
    .description("execute every notebook headless (numbered order) and export HTML next to the figures")
    .option("--dir <dir>", "notebook folder (default: the project's notebooks/)")
    .option("--out <dir>", "where HTML exports go (default: the project's figures/)")
    .option("--timeout <seconds>", "per-cell execution timeout", "1800")
    .option("--only <text>", "run only notebooks whose file name contains this text")
    .option("--preset <name>", "experiment preset the notebooks use (tiny|default|paper)", process.env.OPTOCNN_PRESET ?? "default")
    .action(async (raw) => {
      const options = parseOptions(NotebookOptions, raw);
      const { runNotebooks } = await import("../../pipeline/run-notebooks.js");
      const { PROJECT_ROOT } = await import("../../io/paths.js");
      const { join } = await import("node:path");
      const ok = await runNotebooks({
        ...options,
        dir: options.dir ?? join(PROJECT_ROOT, "notebooks"),
        out: options.out ?? join(PROJECT_ROOT, "figures"),
      });
      if (!ok) process.exitCode = 1;
    });
}
