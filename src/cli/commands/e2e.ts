import type { Command } from "commander";
import { z } from "zod";
import { mismatchPolicy, parseOptions, stageOptions } from "../options.js";

const STAGE = stageOptions({
  preset: "optics, network and default directories",
  out: "run directory (default: runs/<preset>/e2e/<variant>); an interrupted run there with the same settings resumes",
  force: "replace a run in --out that was made with other settings",
});
const E2eOptions = z.object({
  ...STAGE.fields,
  variant: z.enum(["optics-only", "joint-scratch", "joint-stage1"], { message: "must be optics-only, joint-scratch or joint-stage1" }).optional(),
  target: z.enum(["ground-truth", "stage1-prediction"], { message: "must be ground-truth or stage1-prediction" }).optional(),
  formation: z.enum(["kernel-crop", "fit-window"], { message: "must be kernel-crop or fit-window" }).optional(),
  steps: z.coerce.number().int("must be a whole number").positive("must be a positive number of steps").optional(),
  seconds: z.coerce.number().positive("must be a positive number of seconds").optional(),
  opticsLr: z.coerce.number().positive("must be a positive step size").optional(),
  fixedScales: z.boolean().optional(),
  seed: z.coerce.number().int("must be a whole number").min(0, "must be >= 0").optional(),
  sensorArray: z.boolean().optional(),
  stage1: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
});

export function register(program: Command): void {
  STAGE.addTo(
    program
      .command("e2e")
      .description("end-to-end design: train the metasurfaces through their simulated PSFs (every step), behind the stage-1 back end or jointly with it; resumable (Ctrl-C or SIGTERM writes a checkpoint and stops; the same command resumes)"),
  )
    .option("--variant <v>", "optics-only (frozen stage-1 back end), joint-scratch (fresh back end), joint-stage1 (back end from stage 1)")
    .option("--target <t>", "loss target: ground-truth depth, or stage1-prediction (distillation)")
    .option("--formation <f>", "image formation: kernel-crop (PSF cropped to the kernel, as DKO) or fit-window (the whole fit window)")
    .option("--steps <n>", "budget in optimisation steps (default: the preset's)")
    .option("--seconds <s>", "budget in optimisation seconds (with --steps: whichever ends first); a run resumed after an interruption adds up the seconds of both processes, so it ends near, not exactly at, the uninterrupted result")
    .option("--optics-lr <x>", "Adam step size on the metasurface parameters (radians for phase)")
    .option("--fixed-scales", "keep the electronic scales at their start (the stage-1 kernel part sums) instead of training them")
    .option("--seed <n>", "seed of the initial phase noise and of the network / batch order")
    .option("--sensor-array", "also score the trained design with the sensor's image formation (halo and neighbours, the preset's dko.evaluation.sensorArray settings), as stage 2 scores DKO's")
    .option("--stage1 <dir>", "stage-1 run (default: the preset's, runs/<preset>/stage1)")
    .option("--data <dir>", "depth data set (default: the preset's)")
    .action(async (raw) => {
      const options = parseOptions(E2eOptions, raw);
      const { existsSync } = await import("node:fs");
      const { join } = await import("node:path");
      const { PRESETS } = await import("../../pipeline/presets.js");
      const { presetLayout } = await import("../../pipeline/layout.js");
      const { presetDkoConfig, presetRunConfig, presetSensorArraySettings } = await import("../../pipeline/preset-configs.js");
      const { openDepthDataset } = await import("../../data/depth-dataset.js");
      const preset = PRESETS[options.preset];
      const layout = presetLayout(preset);
      const settings = {
        ...preset.e2e.settings,
        variant: options.variant ?? preset.e2e.settings.variant,
        target: options.target ?? preset.e2e.settings.target,
        imageFormation: options.formation ?? preset.e2e.settings.imageFormation,
        opticsLearningRate: options.opticsLr ?? preset.e2e.settings.opticsLearningRate,
        trainScales: options.fixedScales ? false : preset.e2e.settings.trainScales,
        seed: options.seed ?? preset.e2e.settings.seed,
      };
      const budget = options.steps !== undefined || options.seconds !== undefined ? { steps: options.steps, seconds: options.seconds } : preset.e2e.budget;
      const stage1Dir = options.stage1 ?? layout.stage1Dir;
      const dataDir = options.data ?? layout.dataDir;
      if (!existsSync(join(dataDir, "manifest.json"))) throw new Error(`--data ${dataDir}: no depth data set there (no manifest.json); run \`optocnn pipeline --preset ${options.preset}\` or \`optocnn data synthetic --out ${dataDir}\``);
      const needsStage1 = settings.variant !== "joint-scratch" || settings.target === "stage1-prediction";
      if (needsStage1 && !existsSync(join(stage1Dir, "config.json"))) throw new Error(`--stage1 ${stage1Dir}: not a stage-1 run directory (no config.json); train one with \`optocnn pipeline --preset ${options.preset}\``);
      const dataset = await openDepthDataset(dataDir);
      const { e2eStage } = await import("../../pipeline/e2e-stage.js");
      const { onInterrupt, reportInterrupted } = await import("../interrupt.js");
      const interrupt = onInterrupt("e2e", () => ({ message: "stopping after this step and writing a checkpoint" }));
      const out = options.out ?? layout.e2eDir(settings.variant);
      let lastLine = 0;
      const config = presetRunConfig(options.preset, dataset.manifest, { seed: settings.seed });
      const { checkBatchFits } = await import("../options.js");
      checkBatchFits(config.train.batchSize, dataset.train.count, dataDir, { preset: options.preset, hasFlag: false });
      const optics = presetDkoConfig(options.preset).optics;
      const outcome = await e2eStage({
        dir: out,
        dataset,
        config,
        optics,
        settings,
        budget,
        stage1Dir: needsStage1 || existsSync(join(stage1Dir, "config.json")) ? stage1Dir : undefined,
        policy: mismatchPolicy(options),
        sensorArray: options.sensorArray ? presetSensorArraySettings(options.preset) : undefined,
        signal: interrupt.signal,
        log: (line) => console.error(line),
        onProgress: (event) => {
          if (event.phase === "train" && performance.now() - lastLine < 2000) return;
          lastLine = performance.now();
          const val = event.val ? ` val AbsRel ${event.val.absRel.toFixed(4)}` : "";
          console.error(`${event.phase} step ${event.step} (${(100 * event.progress).toFixed(0)} %) ${event.trainSeconds.toFixed(1)} s${event.loss !== undefined ? ` loss ${event.loss.toFixed(4)}` : ""}${val}`);
        },
      }).finally(() => interrupt.release());
      if (outcome.status === "interrupted") {
        reportInterrupted(`interrupted at step ${outcome.step}; checkpoint written in ${out}, which holds no e2e-summary.json until the run finishes. Run the same command again to resume`);
        return;
      }
      const s = outcome.summary;
      if (outcome.reused) console.log(`${out} already holds this E2E run (same settings)`);
      const { reportWarnings, opticsValidityWarning } = await import("../warnings.js");
      const { firstLayer } = config.net;
      await reportWarnings("e2e", join(out, "e2e-summary.json"), [await opticsValidityWarning(optics, { kernelSize: firstLayer.size, inChannels: 3, outChannels: firstLayer.kernels })]);
      console.log(`${s.layer}: ${s.steps} steps in ${s.trainSeconds.toFixed(1)} s (${(s.secondsPerStep * 1000).toFixed(0)} ms/step), ${s.trainableParameters} trainable parameters`);
      console.log(`test: AbsRel ${s.test.absRel.toFixed(4)}, RMSE ${s.test.rmse.toFixed(4)}, delta1 ${s.test.delta1.toFixed(4)}${s.kernelBankNmse !== undefined ? `; kernel-bank NMSE vs stage 1 ${s.kernelBankNmse.toFixed(4)}` : ""}`);
      if (s.sensorArray) {
        const { test, received } = s.sensorArray;
        const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
        console.log(`test, sensor's image formation (${s.sensorArray.description}): AbsRel ${test.absRel.toFixed(4)}, RMSE ${test.rmse.toFixed(4)}, delta1 ${test.delta1.toFixed(4)}`);
        console.log(`  a sub-image's light under a uniform scene: ${pct(received.kernel)} kernel, ${pct(received.halo)} halo, ${pct(received.neighbours)} from neighbours`);
      }
      console.log(`outputs: ${out}`);
    });
}
