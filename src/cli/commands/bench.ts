import { Option, type Command } from "commander";
import { z } from "zod";

const BenchOptionsSchema = z.object({
  out: z.string().min(1, "--out needs a file name").optional(),
  steps: z.coerce.number().int().min(5, "--steps must be at least 5 (the median of at least 5 steps)").default(15),
  warmup: z.coerce.number().int().min(1, "--warmup must be at least 1 (primitive creation is not timed)").default(2),
  profile: z.boolean().default(false),
  peers: z.boolean().default(true),
  psf: z.boolean().default(true),
  unetOnly: z.boolean().default(false),
  dko: z.boolean().default(true),
  dkoOnly: z.boolean().default(false),
});

export function register(program: Command): void {
  program
    .command("bench")
    .description(
      "time a U-Net training step (16-32-64, batch 8, Adam) at 64x64 and 128x128 on the selected engine, plain wasm and PyTorch CPU (if present), and PSF + gradient",
    )
    .option("--out <file>", "write the figures as JSON (atomically)")
    .option("--steps <n>", "timed steps per size (median reported; steps vary by 10-30 % on shared machines; ours and PyTorch alternate every 3 steps)", "15")
    .option("--warmup <n>", "untimed warm-up steps per size", "2")
    .option("--profile", "print the top kernels of one training step by time")
    .option("--no-peers", "skip the plain-wasm and PyTorch comparisons")
    .option("--no-psf", "skip the PSF + gradient timing")
    .option("--no-dko", "skip the DKO synthesis steps at the paper's scale (384 metasurfaces of 1025 x 1025 cells, ~2 GB) and the default preset's")
    .addOption(new Option("--dko-only", "only the DKO synthesis steps, in this process (used for the child run that measures their memory)").hideHelp())
    .addOption(new Option("--unet-only", "only the U-Net steps on this engine (used for the plain-wasm child run)").hideHelp())
    .action(async (raw: Record<string, unknown>) => {
      const parsed = BenchOptionsSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`bench: --${String(issue.path[0] ?? "")}: ${issue.message}`);
      }
      const options = parsed.data;
      const { initEngine } = await import("../../engine/backend.js");
      const { writeJsonAtomic } = await import("../../io/atomic.js");
      const engine = await initEngine();
      if (options.dkoOnly) {
        const { benchDkoStep } = await import("../../bench/dko-step.js");
        // Paper first: the peak memory is then the paper bank's.
        const paper = await benchDkoStep("paper", 4);
        const preset = await benchDkoStep("default", 4);
        const timings = { paper, default: preset };
        if (options.out) writeJsonAtomic(options.out, timings);
        else console.log(JSON.stringify(timings));
        return;
      }
      if (options.unetOnly) {
        const { timeUnet } = await import("../../bench/run-bench.js");
        const timings = await timeUnet(engine, options.steps, options.warmup);
        if (options.out) writeJsonAtomic(options.out, timings);
        else console.log(JSON.stringify(timings));
        return;
      }
      const { runBench } = await import("../../bench/run-bench.js");
      const report = await runBench(engine, { ...options, peers: options.peers, psf: options.psf, dko: options.dko }, (line) => console.error(line));
      const { profile: _profile, engineInfo: _engineInfo, ...summary } = report;
      console.log(JSON.stringify(summary, null, 2));
      if (options.out) writeJsonAtomic(options.out, report);
    });
}
