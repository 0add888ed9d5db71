import { Command } from "commander";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { formatError } from "./errors.js";

/**
 * The `optocnn` command. Each file in ./commands exports `register(program)` and adds one
 * sub-command; heavy modules (tfjs, optics) are imported inside the actions so `--help` stays instant.
 */
export async function buildProgram(): Promise<Command> {
  const program = new Command("optocnn")
    .description("Opto-electronic CNN workbench: DKO, end-to-end optics design and NTKD")
    .showHelpAfterError();
  const commandsDir = join(dirname(fileURLToPath(import.meta.url)), "commands");
  const files = readdirSync(commandsDir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).sort();
  for (const file of files) {
    const module = (await import(pathToFileURL(join(commandsDir, file)).href)) as { register?: (p: Command) => void };
    if (typeof module.register !== "function") throw new Error(`src/cli/commands/${file} must export register(program)`);
    module.register(program);
  }
  return program;
}

const program = await buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`optocnn: ${formatError(error)}`);
  process.exitCode = 1;
}
