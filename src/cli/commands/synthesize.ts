import type { Command } from "commander";
import { z } from "zod";
import { parseOptions } from "../options.js";

const positive = (what: string) => z.coerce.number().positive(`must be a positive ${what}`).optional();
const SynthesizeOptions = z.object({
  run: z.string().min(1, "give the stage-1 run directory"),
  data: z.string().min(1, "give the depth data set directory"),
  out: z.string().min(1).optional(),
  preset: z.enum(["tiny", "default", "paper"]),
  steps: z.coerce.number().int("must be a whole number").positive("must be a positive whole number of steps").optional(),
  lr: positive("learning rate"),
  cells: z.coerce.number().int("must be a whole number").min(8, "must be at least 8 cells").optional(),
  cellPitchUm: positive("pitch in micrometres"),
  distanceMm: positive("distance in millimetres"),
  sensorPitchUm: positive("pitch in micrometres"),
  wavelengthsNm: z
    .string()
    .regex(/^\s*\d+(\.\d+)?\s*,\s*\d+(\.\d+)?\s*,\s*\d+(\.\d+)?\s*$/, "must be three wavelengths in nm, R,G,B, e.g. 640,550,460")
    .optional(),
  metasurface: z.enum(["phase", "nanopillar"]).optional(),
  lut: z.string().min(1).optional(),
  quantiseLevels: z.coerce.number().int("must be a whole number").min(2, "must be at least 2 levels").optional(),
  fabRmsRad: z.coerce.number().min(0, "must be >= 0 radians").optional(),
  fabRmsNm: z.coerce.number().min(0, "must be >= 0 nm").optional(),
  fabDraws: z.coerce.number().int("must be a whole number").positive("must be a positive number of draws").optional(),
  finetuneSteps: z.coerce.number().int("must be a whole number").min(0, "must be >= 0").optional(),
  testLimit: z.coerce.number().int("must be a whole number").positive("must be a positive number of images").optional(),
});

export function register(program: Command): void {
  program
    .command("synthesize")
    .description("DKO stage 2: synthesise one metasurface per signed first-layer kernel of a trained run, then score the optical network")
    .requiredOption("--run <dir>", "stage-1 run directory (from `optocnn train`)")
    .requiredOption("--data <dir>", "depth data set the optical network is scored on (its test split)")
    .option("--out <dir>", "output directory (default <run>/dko)")
    .option("--preset <name>", "optics and optimiser preset: tiny (CI), default (513 cells, minutes), paper (1025 cells at 2.5 um, 1 cm)", "default")
    .option("--steps <n>", "maximum optimisation steps (early stopping may end sooner)")
    .option("--lr <x>", "Adam step size on the parameters (radians for phase)")
    .option("--cells <n>", "metasurface cells per side")
    .option("--cell-pitch-um <p>", "metasurface cell pitch in um")
    .option("--distance-mm <z>", "metasurface-to-sensor distance in mm")
    .option("--sensor-pitch-um <p>", "sensor pixel pitch in um")
    .option("--wavelengths-nm <list>", "wavelength per colour channel, R,G,B in nm (e.g. 640,550,460)")
    .option("--metasurface <kind>", "phase (ideal phase per cell) or nanopillar (lookup table)")
    .option("--lut <file>", "nanopillar lookup table JSON (default: the bundled TiO2 table)")
    .option("--quantise-levels <n>", "evaluate the phase design rounded to n levels")
    .option("--fab-rms-rad <x>", "phase fabrication error rms per cell (radians; phase metasurfaces)")
    .option("--fab-rms-nm <x>", "radius fabrication error rms per cell (nm; nanopillars)")
    .option("--fab-draws <n>", "fabrication-error draws to evaluate the network under")
    .option("--finetune-steps <n>", "fine-tune the back end behind the frozen optical layer for n steps")
    .option("--test-limit <n>", "score only the first n test images")
    .action(async (raw) => {
      const options = parseOptions(SynthesizeOptions, raw);
      const { existsSync } = await import("node:fs");
      const { join } = await import("node:path");
      if (!existsSync(join(options.run, "config.json"))) {
        throw new Error(`--run ${options.run}: not a stage-1 run directory (no config.json); train one with \`optocnn train --data DATA --out ${options.run}\``);
      }
      if (!existsSync(join(options.data, "manifest.json"))) {
        throw new Error(`--data ${options.data}: no depth data set there (no manifest.json); create one with \`optocnn data synthetic --out ${options.data}\``);
      }
      if (options.fabDraws !== undefined && options.fabRmsRad === undefined && options.fabRmsNm === undefined) {
        console.warn("optocnn synthesize: --fab-draws has no effect without --fab-rms-rad (phase) or --fab-rms-nm (nanopillar)");
      }
      const { dkoConfig, DKO_PRESETS } = await import("../../dko/config.js");
      const wavelengths = options.wavelengthsNm?.split(",").map((w) => Number(w) * 1e-9);
      let config;
      try {
        config = dkoConfig(options.preset, {
          optics: {
            cells: options.cells,
            cellPitch_m: options.cellPitchUm !== undefined ? options.cellPitchUm * 1e-6 : undefined,
            distance_m: options.distanceMm !== undefined ? options.distanceMm * 1e-3 : undefined,
            sensorPitch_m: options.sensorPitchUm !== undefined ? options.sensorPitchUm * 1e-6 : undefined,
            channelWavelengths_m: wavelengths,
            metasurface: options.metasurface,
            lutPath: options.lut,
            // A changed geometry gets the Nyquist sampling of its own PSF unless the preset's still holds.
            subsamplesPerPixel: options.cells || options.cellPitchUm || options.distanceMm || options.sensorPitchUm || wavelengths ? undefined : DKO_PRESETS[options.preset].optics.subsamplesPerPixel,
          },
          optimiser: { steps: options.steps, learningRate: options.lr },
          evaluation: {
            quantiseLevels: options.quantiseLevels,
            fabricationRms_rad: options.fabRmsRad,
            fabricationRadiusRms_m: options.fabRmsNm !== undefined ? options.fabRmsNm * 1e-9 : undefined,
            fabricationDraws: options.fabDraws,
            finetuneSteps: options.finetuneSteps,
            testLimit: options.testLimit,
          },
        });
      } catch (error) {
        throw new Error(`${(error as Error).message}\n(set by --preset ${options.preset} and the options given)`);
      }
      const { runDko } = await import("../../dko/run.js");
      const cliProgress = (await import("cli-progress")).default;
      const bar = new cliProgress.SingleBar({ format: "{phase} |{bar}| {value}/{total} | {detail}", hideCursor: true }, cliProgress.Presets.shades_classic);
      let current = "";
      const { outDir, summary } = await runDko({
        runDir: options.run,
        dataDir: options.data,
        outDir: options.out,
        config,
        onProgress: (event) => {
          const key = event.phase === "evaluate" ? `evaluate ${event.label}` : event.phase;
          const [value, total, detail] =
            event.phase === "synthesize"
              ? [event.step, event.steps, `chunk ${event.chunk + 1}/${event.chunks}, loss ${event.loss.toExponential(3)} (best ${event.bestLoss.toExponential(3)})`]
              : event.phase === "evaluate"
                ? [event.done, event.total, ""]
                : [Math.round(event.progress * 1000), 1000, `step ${event.step}`];
          if (!process.stderr.isTTY) {
            // No bar off a terminal (logs, CI): a line per phase and every 10 synthesis steps.
            if (key !== current || (event.phase === "synthesize" && event.step % 10 === 0)) console.error(`${key}: ${value}/${total} ${detail}`);
            current = key;
            return;
          }
          if (key !== current) {
            if (current) bar.stop();
            bar.start(total, value, { phase: key, detail });
            current = key;
          } else bar.update(value, { detail });
        },
      }).finally(() => bar.stop());
      const s = summary.synthesis;
      console.log(
        `synthesised ${summary.bank.active} of ${summary.bank.metasurfaces} metasurfaces (${config.optics.cells}x${config.optics.cells} cells) in ${s.seconds.toFixed(1)} s, ${s.chunks} chunks of up to ${s.steps} steps${s.stoppedEarly ? " (early stop)" : ""}, ${(s.secondsPerStep * 1000).toFixed(0)} ms per step of the whole bank, peak RSS ${(s.peakRss_bytes / 2 ** 20).toFixed(0)} MiB on ${summary.complexOps?.name}`,
      );
      console.log(`fit: mean NMSE ${s.meanNmse.toFixed(4)}, correlation ${s.meanCorrelation.toFixed(4)}, energy outside kernel ${(100 * s.meanEnergyOutsideKernel).toFixed(1)} %, kernel bank NMSE ${s.kernelBankNmse.toFixed(4)}`);
      const m = summary.metrics;
      const rows: [string, { absRel: number; rmse: number; delta1: number }][] = [["electronic", m.electronic], ["optical (design)", m.optical]];
      if (m.opticalQuantised) rows.push([`optical (${config.evaluation.quantiseLevels} levels)`, m.opticalQuantised]);
      m.fabrication.forEach((f, d) => rows.push([`optical, fabrication draw ${d}`, f.test]));
      if (m.finetune) rows.push([`fine-tuned ${m.finetune.steps} steps`, m.finetune.test]);
      console.log(`test split (${m.testImages} images):`);
      console.log(`${"network".padEnd(32)} ${"AbsRel".padStart(8)} ${"RMSE".padStart(8)} ${"delta1".padStart(8)}`);
      for (const [name, r] of rows) console.log(`${name.padEnd(32)} ${r.absRel.toFixed(4).padStart(8)} ${r.rmse.toFixed(4).padStart(8)} ${r.delta1.toFixed(4).padStart(8)}`);
      console.log(`outputs: ${outDir}`);
    });
}
