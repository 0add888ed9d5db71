import type { Command } from "commander";
import { z } from "zod";
import { parseOptions } from "../options.js";

const LabOptions = z.object({ port: z.coerce.number().int().min(1).max(65535, { message: "must be a TCP port (1-65535)" }).optional() });

export function register(program: Command): void {
  program
    .command("lab")
    .description("start a local notebook server (127.0.0.1 only) on notebooks/ with the project's TypeScript kernel and print its URL")
    .option("--port <port>", "TCP port (default: a free one)")
    .action(async (raw) => {
      const options = parseOptions(LabOptions, raw);
      const { startLab } = await import("../../pipeline/lab-server.js");
      const { PROJECT_ROOT } = await import("../../io/paths.js");
      const lab = await startLab({ root: PROJECT_ROOT, port: options.port });
      console.log(`optocnn lab: open ${lab.url}\n(kernel "TypeScript (optocnn)"; notebooks use OPTOCNN_PRESET, default "default"; Ctrl-C stops the server)`);
      const stop = () => void lab.stop().then(() => process.exit(0));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      await new Promise<void>((done) => lab.process.once("exit", () => done()));
    });
}
