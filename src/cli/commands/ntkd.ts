import type { Command } from "commander";
import { z } from "zod";
import type { NtkdConfig } from "../../ntkd/config.js";
import { mismatchPolicy, parseOptions, stageOptions } from "../options.js";

const count = (what: string) => z.coerce.number().int("must be a whole number").positive(`must be a positive number of ${what}`).optional();
const STAGE = stageOptions({
  preset: "NTKD settings of a preset (tiny is CI-sized, default runs MNIST + Fashion-MNIST with 3 seeds)",
  out: "output directory: summary.json, learned PSFs, figures/ (default: runs/<preset>/ntkd)",
  force: "replace an NTKD result in --out that was made with other settings",
});
const NtkdOptions = z.object({
  ...STAGE.fields,
  datasets: z.string().regex(/^\s*(mnist|fashion-mnist)(\s*,\s*(mnist|fashion-mnist))*\s*$/, "must be a comma-separated list of mnist, fashion-mnist").optional(),
  seeds: z.string().regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, "must be a comma-separated list of whole numbers, e.g. 0,1,2").optional(),
  steps: count("steps"),
  kernels: count("kernels"),
  trainLimit: count("images"),
  testLimit: count("images"),
  fashionMnistDir: z.string().min(1).optional(),
  figures: z.boolean(),
});

export function register(program: Command): void {
  STAGE.addTo(program.command("ntkd"))
    .description("NTKD: optical students (metasurface PSFs + digital back end) trained without transfer, with KD, with NTKD and by DKO; accuracy estimate; fabrication study. Resumable by seed: Ctrl-C or SIGTERM keeps the finished seeds, and the same command runs the rest (the seed in progress again, to the same result)")
    .option("--datasets <list>", "data sets, comma-separated: mnist, fashion-mnist")
    .option("--seeds <list>", "seeds, comma-separated (e.g. 0,1,2)")
    .option("--steps <n>", "training steps per mode (the same budget for every mode)")
    .option("--kernels <n>", "signed optical kernels of the student (2 metasurfaces each)")
    .option("--train-limit <n>", "training images kept per data set")
    .option("--test-limit <n>", "test images kept per data set")
    .option("--fashion-mnist-dir <dir>", "Fashion-MNIST IDX directory (default: Debian's dataset-fashion-mnist)")
    .option("--no-figures", "skip the PNG figures (they need Chromium)")
    .action(async (raw) => {
      const options = parseOptions(NtkdOptions, raw);
      const { presetNtkdConfig } = await import("../../pipeline/preset-configs.js");
      const { layoutOf } = await import("../../pipeline/layout.js");
      const { join } = await import("node:path");
      let config: NtkdConfig;
      try {
        config = presetNtkdConfig(options.preset, {
          data: {
            datasets: options.datasets?.split(",").map((d) => d.trim() as "mnist" | "fashion-mnist"),
            trainLimit: options.trainLimit,
            testLimit: options.testLimit,
            fashionMnistDir: options.fashionMnistDir,
          },
          training: { steps: options.steps, seeds: options.seeds?.split(",").map(Number) },
          student: { kernels: options.kernels },
        });
      } catch (error) {
        throw new Error(`${(error as Error).message}\n(set by --preset ${options.preset} and the options given)`);
      }
      const { batchSize } = config.training;
      if (config.data.trainLimit !== undefined && config.data.trainLimit < batchSize) {
        throw new Error(`--train-limit ${config.data.trainLimit} keeps fewer training images than one batch of ${batchSize} (the ${options.preset} preset's NTKD batch size); give --train-limit ${batchSize} or more (nothing was written)`);
      }
      const { ntkdStage } = await import("../../pipeline/ntkd-stage.js");
      const { NtkdInterrupted } = await import("../../ntkd/run.js");
      const { withInterrupt, reportInterrupted } = await import("../interrupt.js");
      let current = "";
      const dir = options.out ?? layoutOf(options.preset).ntkdDir;
      const outcome = await withInterrupt(
        "ntkd",
        () => ({ message: "stopping at the next training step; finished seeds are kept, the seed in progress runs again (to the same result) when you rerun the same command" }),
        (signal) =>
          ntkdStage({
            dir,
            config,
            policy: mismatchPolicy(options),
            signal,
            log: (line) => console.error(line),
            onProgress: (event) => {
              const key = `${event.dataset} seed ${event.seed} ${event.phase}`;
              if (key !== current) console.error(key);
              current = key;
            },
          }).catch((error: unknown) => {
            if (error instanceof NtkdInterrupted) return error;
            throw error;
          }),
      );
      if (outcome instanceof NtkdInterrupted) {
        reportInterrupted(
          `interrupted in ${outcome.stoppedIn}; kept in ${dir}: ${outcome.kept.join(", ") || "nothing yet"}. ${dir} holds no summary.json until the run finishes; run the same command again to resume`,
        );
        return;
      }
      const { outDir, summary, reused } = outcome;
      if (reused) console.log(`${outDir} already holds this NTKD result (same settings); nothing to run`);
      let figuresSkipped: string | null = null;
      if (options.figures) {
        const { exportNtkdFigures } = await import("../../viz/ntkd-figures.js");
        const { findChromium } = await import("../../viz/static-export.js");
        if (findChromium()) {
          const start = performance.now();
          const written = await exportNtkdFigures(summary, outDir);
          console.log(`figures: ${written.length} PNGs in ${outDir}/figures (${((performance.now() - start) / 1000).toFixed(0)} s)`);
        }
        else figuresSkipped = "no Chromium found, figures skipped (apt-get install chromium, then rerun the same command)";
      }
      const { reportWarnings, opticsValidityWarning } = await import("../warnings.js");
      const { bankOptics } = await import("../../ntkd/optical-student.js");
      const { student } = config;
      await reportWarnings("ntkd", join(outDir, "summary.json"), [
        await opticsValidityWarning(bankOptics(config.optics), { kernelSize: student.kernelSize, inChannels: 1, outChannels: student.kernels }),
        figuresSkipped,
      ]);
      const pct = (s: { mean: number; std: number }) => `${(100 * s.mean).toFixed(1)} ± ${(100 * s.std).toFixed(1)}`;
      for (const d of summary.datasets) {
        console.log(`${d.name} (${d.trainImages} train / ${d.testImages} test images, ${config.training.seeds.length} seed(s)), test accuracy % (mean ± std):`);
        const a = d.accuracy;
        console.log(`  teacher ${pct(a.teacher)} | no transfer ${pct(a.none)} | KD ${pct(a.kd)} | NTKD ${pct(a.ntkd)} | DKO ${pct(a.dko)}`);
        const f = d.fabrication;
        console.log(`  fabricated NTKD student (phase rms ${f.phaseRms_rad} rad + sensor errors): before ${pct(f.fabricated)} | task fine-tune ${pct(f.finetuneTask)} | NTKD fine-tune ${pct(f.finetuneNtkd)}`);
        console.log(`  estimate (NTK ridge, ${d.estimateVsMeasured.kernels} kernels) ${(100 * d.estimateVsMeasured.estimate).toFixed(1)} %; layout fits ${d.layout.signedKernels} signed kernels`);
      }
      const { formatPhases } = await import("../../ntkd/phase-clock.js");
      // Summaries written before the breakdown existed have none.
      console.log(`seconds per phase: ${formatPhases(summary.phaseSeconds ?? {})}`);
      console.log(`CPU seconds per phase (all threads): ${formatPhases(summary.phaseCpuSeconds ?? {})}`);
      console.log(`outputs: ${outDir} (${summary.wallSeconds.toFixed(0)} s)`);
    });
}
