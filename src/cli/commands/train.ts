import type { Command } from "commander";
import { z } from "zod";
import { parseOptions } from "../options.js";

const TrainOptions = z
  .object({
    data: z.string().min(1, "give the data set directory"),
    out: z.string().min(1, "give the run directory"),
    preset: z.enum(["tiny", "default", "paper"]),
    steps: z.coerce.number().int().positive("must be a positive whole number of steps").optional(),
    seconds: z.coerce.number().positive("must be a positive number of seconds").optional(),
    resume: z.boolean().optional(),
    seed: z.coerce.number().int().min(0, "must be a whole number >= 0").optional(),
    batchSize: z.coerce.number().int().positive("must be a positive whole number").optional(),
    lr: z.coerce.number().positive("must be a positive learning rate").optional(),
    initFrom: z.string().min(1).optional(),
    evalCrop: z.enum(["none", "garg", "eigen"]).optional(),
    depthCapM: z.union([z.literal("none"), z.coerce.number().positive("must be a positive depth in metres, or none")]).optional(),
    minDepthM: z.coerce.number().min(0, "must be a depth >= 0 in metres").optional(),
    medianScaling: z.boolean().optional(),
  })
  .refine((o) => !(o.resume && o.initFrom), { path: ["initFrom"], message: "cannot be combined with --resume" });

export function register(program: Command): void {
  program
    .command("train")
    .description("train the electronic depth CNN on a depth data set (resumable; Ctrl-C keeps the last checkpoint)")
    .requiredOption("--data <dir>", "depth data set directory (e.g. from `optocnn data synthetic --out data/synth64`)")
    .requiredOption("--out <dir>", "run directory: config.json, metrics.csv, summary.json, weights/, checkpoints/")
    .option("--preset <name>", "network and schedule preset: tiny (CI), default (minutes), paper (ResNet-18-like)", "default")
    .option("--steps <n>", "training budget in steps (default: the preset's)")
    .option("--seconds <s>", "training budget in seconds of training time (with --steps: whichever ends first)")
    .option("--resume", "continue the run in --out from its last checkpoint (its config.json wins)")
    .option("--seed <n>", "seed of the weight initialisation and data order (default 0)")
    .option("--batch-size <n>", "override the preset's batch size")
    .option("--lr <x>", "override the preset's peak learning rate")
    .option("--init-from <dir>", "start from the weights of another run (or weights directory)")
    .option("--eval-crop <crop>", "score only pixels inside this crop: garg, eigen or none (default: garg on KITTI, none elsewhere)")
    .option("--depth-cap-m <m>", "ignore ground truth at or beyond this depth and clamp predictions to it, or none (default: 80 on KITTI, none elsewhere)")
    .option("--min-depth-m <m>", "ignore ground truth at or below this depth and clamp predictions up to it (default 0.001)")
    .option("--median-scaling", "scale each prediction by median(gt) / median(pred) before scoring (for scale-ambiguous predictions)")
    .action(async (raw) => {
      const options = parseOptions(TrainOptions, raw);
      const { existsSync } = await import("node:fs");
      const { join } = await import("node:path");
      if (!existsSync(join(options.data, "manifest.json"))) {
        throw new Error(
          `--data ${options.data}: no depth data set there (no manifest.json); create one with \`optocnn data synthetic --out ${options.data}\``,
        );
      }
      const { openDepthDataset } = await import("../../data/depth-dataset.js");
      const { PRESETS, presetRunConfig } = await import("../../models/depth-net-config.js");
      const { trainDepth } = await import("../../train/train-depth.js");
      const { DEPTH_METRIC_NAMES } = await import("../../eval/depth-metrics.js");
      const { defaultProtocol, describeProtocol, DepthEvalProtocolSchema } = await import("../../eval/depth-protocol.js");
      const cliProgress = (await import("cli-progress")).default;

      const dataset = await openDepthDataset(options.data).catch((error: Error) => {
        throw new Error(`--data ${options.data}: ${error.message}`);
      });
      const preset = PRESETS[options.preset];
      const budgetGiven = options.steps !== undefined || options.seconds !== undefined;
      const budget = budgetGiven ? { steps: options.steps, seconds: options.seconds } : options.resume ? undefined : preset.budget;
      const protocolGiven = options.evalCrop !== undefined || options.depthCapM !== undefined || options.minDepthM !== undefined || options.medianScaling !== undefined;
      if (options.resume && (options.seed !== undefined || options.batchSize !== undefined || options.lr !== undefined || protocolGiven)) {
        console.warn("optocnn train: --resume continues with the run's config.json; --seed, --batch-size, --lr and the evaluation options are ignored");
      }
      const base = defaultProtocol(dataset.manifest.source);
      const protocol = DepthEvalProtocolSchema.safeParse({
        minDepth_m: options.minDepthM ?? base.minDepth_m,
        maxDepth_m: options.depthCapM === undefined ? base.maxDepth_m : options.depthCapM === "none" ? null : options.depthCapM,
        crop: options.evalCrop ?? base.crop,
        medianScaling: options.medianScaling ?? base.medianScaling,
      });
      if (!protocol.success) throw new Error(`--depth-cap-m / --min-depth-m: ${protocol.error.issues[0].message}`);
      const config = presetRunConfig(options.preset, dataset.manifest, { seed: options.seed, batchSize: options.batchSize, learningRate: options.lr });

      const controller = new AbortController();
      const onSigint = () => {
        if (controller.signal.aborted) process.exit(130);
        controller.abort();
        console.error("\noptocnn train: stopping after this step and writing a checkpoint (Ctrl-C again to quit at once)");
      };
      process.on("SIGINT", onSigint);
      const bar = new cliProgress.SingleBar(
        { format: "train |{bar}| {percentage}% | step {step} | loss {loss} | lr {lr} | val AbsRel {absRel} | {phase}", hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(1000, 0, { step: 0, loss: "-", lr: "-", absRel: "-", phase: "" });
      let result;
      try {
        result = await trainDepth({
          runDir: options.out,
          dataset,
          config: options.resume ? undefined : config,
          budget,
          resume: options.resume,
          initWeightsFrom: options.initFrom,
          evalProtocol: options.resume ? undefined : protocol.data,
          signal: controller.signal,
          onProgress: (event) => {
            const payload: Record<string, string | number> = { step: event.step, phase: event.phase === "train" ? "" : event.phase };
            if (event.loss !== undefined) payload.loss = event.loss.toFixed(4);
            if (event.learningRate !== undefined) payload.lr = event.learningRate.toExponential(2);
            if (event.val) payload.absRel = event.val.absRel.toFixed(4);
            bar.update(Math.round(event.progress * 1000), payload);
          },
        });
      } finally {
        bar.stop();
        process.off("SIGINT", onSigint);
      }
      result.net.dispose();
      if (result.status === "interrupted") {
        console.log(`interrupted at step ${result.step}; checkpoint written. Continue with:\n  optocnn train --data ${options.data} --out ${options.out} --resume`);
        process.exitCode = 130;
        return;
      }
      const summary = result.summary!;
      const rows = [
        { name: "network", metrics: summary.test },
        { name: `constant ${summary.constantBaselines.mean.depth_m.toFixed(2)} m (train mean)`, metrics: summary.constantBaselines.mean.test },
        { name: `constant ${summary.constantBaselines.absRelOptimal.depth_m.toFixed(2)} m (AbsRel-optimal)`, metrics: summary.constantBaselines.absRelOptimal.test },
      ];
      console.log(`finished ${summary.steps} steps (${summary.epochs.toFixed(1)} epochs) in ${summary.trainSeconds.toFixed(1)} s of training on ${summary.engine.engine}; ${summary.parameterCount} parameters`);
      console.log(`test split (${summary.test.images} images; ${describeProtocol(summary.evalProtocol)}):`);
      console.log(["predictor".padEnd(40), ...DEPTH_METRIC_NAMES.map((k) => k.padStart(8))].join(" "));
      for (const row of rows) console.log([row.name.padEnd(40), ...DEPTH_METRIC_NAMES.map((k) => row.metrics[k].toFixed(4).padStart(8))].join(" "));
      console.log(`run directory: ${options.out}`);
    });
}
