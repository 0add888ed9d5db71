import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("info")
    .description("initialise the tensor engine and print which backend and native kernels are in use")
    .action(async () => {
      const { initEngine } = await import("../../engine/backend.js");
      const engine = await initEngine();
      console.log(JSON.stringify(engine, null, 2));
    });
}
