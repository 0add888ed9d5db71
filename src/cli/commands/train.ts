import type { Command } from "commander";
import { z } from "zod";
import { mismatchPolicy, parseOptions, stageOptions } from "../options.js";
import { PRESETS } from "../../pipeline/presets.js";

const STAGE = stageOptions({
  preset: "network, schedule and default directories",
  out: "run directory: config.json, metrics.csv, summary.json, weights/, checkpoints/ (default: runs/<preset>/stage1)",
  force: "replace a run in --out that was made with other settings",
});
const TrainOptions = z
  .object({
    ...STAGE.fields,
    data: z.string().min(1, "give the data set directory").optional(),
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
  STAGE.addTo(program.command("train").description("train the electronic depth CNN on a depth data set (resumable; Ctrl-C or SIGTERM writes a checkpoint and stops)"))
    .option("--data <dir>", "depth data set directory (default: the preset's, as made by `optocnn data synthetic --preset <name>`)")
    .option("--steps <n>", "training budget in steps (default: the preset's)")
    .option("--seconds <s>", "training budget in seconds of training time (with --steps: whichever ends first)")
    .option("--resume", "continue the run in --out from its last checkpoint with its config.json (--seed, --batch-size, --lr and another --preset are refused; --steps may extend the budget)")
    .option("--seed <n>", "seed of the weight initialisation and data order (default 0)")
    .option("--batch-size <n>", "override the preset's batch size")
    .option("--lr <x>", "override the preset's peak learning rate")
    .option("--init-from <dir>", "start from the weights of another run (or weights directory)")
    .option("--eval-crop <crop>", "score only pixels inside this crop: garg, eigen or none (default: garg on KITTI, none elsewhere)")
    .option("--depth-cap-m <m>", "ignore ground truth at or beyond this depth and clamp predictions to it, or none (default: 80 on KITTI, none elsewhere)")
    .option("--min-depth-m <m>", "ignore ground truth at or below this depth and clamp predictions up to it (default 0.001)")
    .option("--median-scaling", "scale each prediction by median(gt) / median(pred) before scoring (for scale-ambiguous predictions)")
    .action(async (raw, command: Command) => {
      const parsed = parseOptions(TrainOptions, raw);
      const { existsSync } = await import("node:fs");
      const { join } = await import("node:path");
      const layout = (await import("../../pipeline/layout.js")).layoutOf(parsed.preset);
      const options = { ...parsed, data: parsed.data ?? layout.dataDir, out: parsed.out ?? layout.stage1Dir };
      if (!existsSync(join(options.data, "manifest.json"))) {
        const make = parsed.data ? `optocnn data synthetic --out ${options.data}` : `optocnn data synthetic --preset ${parsed.preset}`;
        throw new Error(`--data ${options.data}: no depth data set there (no manifest.json); create one with \`${make}\``);
      }
      const { openDepthDataset } = await import("../../data/depth-dataset.js");
      const { presetRunConfig } = await import("../../pipeline/preset-configs.js");
      const { stage1Stage } = await import("../../pipeline/stage1-stage.js");
      const { trainDepth } = await import("../../train/train-depth.js");
      const { DEPTH_METRIC_NAMES } = await import("../../eval/depth-metrics.js");
      const { defaultProtocol, describeProtocol, DepthEvalProtocolSchema } = await import("../../eval/depth-protocol.js");
      const cliProgress = (await import("cli-progress")).default;

      const dataset = await openDepthDataset(options.data).catch((error: Error) => {
        throw new Error(`--data ${options.data}: ${error.message}`);
      });
      const budgetGiven = options.steps !== undefined || options.seconds !== undefined;
      const budget = budgetGiven ? { steps: options.steps, seconds: options.seconds } : options.resume ? undefined : PRESETS[options.preset].stage1.budget;
      const protocolGiven = options.evalCrop !== undefined || options.depthCapM !== undefined || options.minDepthM !== undefined || options.medianScaling !== undefined;
      let storedBatchSize: number | undefined;
      if (options.resume) {
        const fixed = (["seed", "batchSize", "lr"] as const).filter((k) => options[k] !== undefined).map((k) => (k === "batchSize" ? "--batch-size" : `--${k}`));
        if (protocolGiven) fixed.push("the evaluation options");
        if (fixed.length) {
          throw new Error(`${fixed.join(", ")} cannot change on --resume: the run continues with the settings in ${join(options.out, "config.json")} so that it ends as an uninterrupted run would; drop ${fixed.length > 1 ? "them" : "it"}, or train a new run into another --out`);
        }
        const { readRunConfig } = await import("../../train/run-files.js");
        const stored = existsSync(join(options.out, "config.json")) ? readRunConfig(options.out) : null;
        if (stored && command.getOptionValueSource("preset") === "cli" && stored.preset !== options.preset) {
          throw new Error(`--preset ${options.preset} cannot change on --resume: ${options.out} is a "${stored.preset ?? "custom"}" run; drop --preset, or train a ${options.preset} run into another --out`);
        }
        storedBatchSize = stored?.train.batchSize;
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
      const { checkBatchFits } = await import("../options.js");
      checkBatchFits(
        storedBatchSize ?? config.train.batchSize,
        dataset.train.count,
        options.data,
        storedBatchSize !== undefined ? { run: join(options.out, "config.json") } : options.batchSize !== undefined ? { flag: "--batch-size" } : { preset: options.preset, hasFlag: true },
      );

      const { onInterrupt, reportInterrupted } = await import("../interrupt.js");
      const interrupt = onInterrupt("train", () => ({ message: "stopping after this step and writing a checkpoint" }));
      const bar = new cliProgress.SingleBar(
        { format: "train |{bar}| {percentage}% | step {step} | loss {loss} | lr {lr} | val AbsRel {absRel} | {phase}", hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(1000, 0, { step: 0, loss: "-", lr: "-", absRel: "-", phase: "" });
      const onProgress = (event: import("../../train/train-depth.js").TrainProgress) => {
        const payload: Record<string, string | number> = { step: event.step, phase: event.phase === "train" ? "" : event.phase };
        if (event.loss !== undefined) payload.loss = event.loss.toFixed(4);
        if (event.learningRate !== undefined) payload.lr = event.learningRate.toExponential(2);
        if (event.val) payload.absRel = event.val.absRel.toFixed(4);
        bar.update(Math.round(event.progress * 1000), payload);
      };
      let result: Awaited<ReturnType<typeof stage1Stage>>;
      try {
        if (options.resume) {
          // An explicit resume continues whatever run is there, with its own config.json.
          const resumed = await trainDepth({ runDir: options.out, dataset, budget, resume: true, signal: interrupt.signal, onProgress });
          resumed.net.dispose();
          result = resumed.status === "finished" ? { status: "finished", summary: resumed.summary!, reused: false } : { status: "interrupted", step: resumed.step };
        } else {
          result = await stage1Stage({
            dir: options.out,
            dataset,
            config,
            budget: budget ?? PRESETS[options.preset].stage1.budget,
            policy: mismatchPolicy(options),
            evalProtocol: protocol.data,
            initWeightsFrom: options.initFrom,
            signal: interrupt.signal,
            onProgress,
            log: (line) => console.error(line),
          });
        }
      } finally {
        bar.stop();
        interrupt.release();
      }
      if (result.status === "interrupted") {
        reportInterrupted(`interrupted at step ${result.step}; checkpoint written. Continue with the same command, or:\n  optocnn train --data ${options.data} --out ${options.out} --resume`);
        return;
      }
      const summary = result.summary;
      if (result.reused) console.log(`${options.out} already holds this run, finished (same settings); nothing to train`);
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
