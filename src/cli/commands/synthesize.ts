import type { Command } from "commander";
import { z } from "zod";
import { mismatchPolicy, parseOptions, stageOptions } from "../options.js";
import { MICROMETRES, MILLIMETRES, NANOMETRES, quantity, quantityList } from "../units.js";
import { PRESETS } from "../../pipeline/presets.js";

const positive = (what: string) => z.coerce.number().positive(`must be a positive ${what}`).optional();
/** Below this fit the realised kernels are not the network's (the presets fit at correlation ~0.97; the 0.06 was noise). */
const POOR_FIT = { correlation: 0.5, energyOutsideKernel: 0.5 };
const STAGE = stageOptions({
  preset: "optics, optimiser and default directories",
  out: "output directory (default: runs/<preset>/dko with the preset's run, else <run>/dko)",
  force: "replace a DKO result in --out that was made with other settings",
});
const SynthesizeOptions = z.object({
  ...STAGE.fields,
  run: z.string().min(1, "give the stage-1 run directory").optional(),
  data: z.string().min(1, "give the depth data set directory").optional(),
  steps: z.coerce.number().int("must be a whole number").positive("must be a positive whole number of steps").optional(),
  lr: positive("learning rate"),
  efficiencyWeight: z.coerce.number().min(0, "must be >= 0 (0 = the paper's shape-only loss)").optional(),
  cells: z.coerce.number().int("must be a whole number").min(8, "must be at least 8 cells").optional(),
  cellPitchUm: quantity(MICROMETRES(0.01, 100)).optional(),
  distanceMm: quantity(MILLIMETRES(1e-4, 1000)).optional(),
  sensorPitchUm: quantity(MICROMETRES(0.01, 100)).optional(),
  wavelengthsNm: quantityList(NANOMETRES(200, 2000), 3, "R,G,B, e.g. 640,550,460").optional(),
  metasurface: z.enum(["phase", "nanopillar"]).optional(),
  lut: z.string().min(1).optional(),
  quantiseLevels: z.coerce.number().int("must be a whole number").min(2, "must be at least 2 levels").optional(),
  fabRmsRad: z.coerce.number().min(0, "must be >= 0 radians").optional(),
  fabRmsNm: z.coerce.number().min(0, "must be >= 0 nm").max(1000, "is in nanometres (0..1000), e.g. 5").optional(),
  fabDraws: z.coerce.number().int("must be a whole number").positive("must be a positive number of draws").optional(),
  finetuneSteps: z.coerce.number().int("must be a whole number").min(0, "must be >= 0").optional(),
  testLimit: z.coerce.number().int("must be a whole number").positive("must be a positive number of images").optional(),
});

export function register(program: Command): void {
  STAGE.addTo(program.command("synthesize").description("DKO stage 2: synthesise one metasurface per signed first-layer kernel of a trained run, then score the optical network"))
    .option("--run <dir>", "stage-1 run directory (default: the preset's, runs/<preset>/stage1)")
    .option("--data <dir>", "depth data set the optical network is scored on, its test split (default: the preset's)")
    .option("--steps <n>", "maximum optimisation steps (early stopping may end sooner); SIGINT/SIGTERM write a checkpoint, rerunning the command resumes")
    .option("--lr <x>", "Adam step size on the parameters (radians for phase)")
    .option("--efficiency-weight <w>", "weight of the fit loss's light term: shape NMSE traded per unit of the light kept in the fit window (0 = the paper's shape-only loss)")
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
    .option("--finetune-steps <n>", "fine-tune the back end behind the frozen optical layer for n steps (SIGINT/SIGTERM write a checkpoint in <out>/finetune, rerunning the command resumes)")
    .option("--test-limit <n>", "score only the first n test images")
    .action(async (raw) => {
      const parsed = parseOptions(SynthesizeOptions, raw);
      const { existsSync } = await import("node:fs");
      const { join } = await import("node:path");
      const layout = (await import("../../pipeline/layout.js")).layoutOf(parsed.preset);
      const run = parsed.run ?? layout.stage1Dir;
      const options = { ...parsed, run, data: parsed.data ?? layout.dataDir, out: parsed.out ?? (parsed.run ? join(run, "dko") : layout.dkoDir) };
      if (!existsSync(join(options.run, "config.json"))) {
        throw new Error(`--run ${options.run}: not a stage-1 run directory (no config.json); train one with \`optocnn train --data DATA --out ${options.run}\``);
      }
      if (!existsSync(join(options.data, "manifest.json"))) {
        throw new Error(`--data ${options.data}: no depth data set there (no manifest.json); create one with \`optocnn data synthetic --out ${options.data}\``);
      }
      const drawsIgnored =
        options.fabDraws !== undefined && options.fabRmsRad === undefined && options.fabRmsNm === undefined
          ? "--fab-draws has no effect without --fab-rms-rad (phase) or --fab-rms-nm (nanopillar): no fabrication draws were scored"
          : null;
      const { presetDkoConfig } = await import("../../pipeline/preset-configs.js");
      const wavelengths = options.wavelengthsNm?.map((w) => w * 1e-9);
      let config;
      try {
        config = presetDkoConfig(options.preset, {
          optics: {
            cells: options.cells,
            cellPitch_m: options.cellPitchUm !== undefined ? options.cellPitchUm * 1e-6 : undefined,
            distance_m: options.distanceMm !== undefined ? options.distanceMm * 1e-3 : undefined,
            sensorPitch_m: options.sensorPitchUm !== undefined ? options.sensorPitchUm * 1e-6 : undefined,
            channelWavelengths_m: wavelengths,
            metasurface: options.metasurface,
            lutPath: options.lut,
            // A changed geometry gets the Nyquist sampling of its own PSF unless the preset's still holds.
            subsamplesPerPixel: options.cells || options.cellPitchUm || options.distanceMm || options.sensorPitchUm || wavelengths ? undefined : PRESETS[options.preset].dko.optics.subsamplesPerPixel,
          },
          optimiser: { steps: options.steps, learningRate: options.lr, efficiencyWeight: options.efficiencyWeight },
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
      const { dkoStage } = await import("../../pipeline/dko-stage.js");
      const cliProgress = (await import("cli-progress")).default;
      const bar = new cliProgress.SingleBar({ format: "{phase} |{bar}| {value}/{total} | {detail}", hideCursor: true }, cliProgress.Presets.shades_classic);
      let current = "";
      const outDir = options.out;
      const { SynthesisInterrupted } = await import("../../dko/synthesis-checkpoint.js");
      const { FinetuneInterrupted } = await import("../../dko/run.js");
      const { onInterrupt, reportInterrupted } = await import("../interrupt.js");
      let phase: "synthesize" | "evaluate" | "finetune" = "synthesize";
      // Synthesis and fine-tune stop at a step with a checkpoint; scoring has none and writes nothing, so it quits at once.
      const interrupt = onInterrupt("synthesize", () =>
        phase === "evaluate"
          ? { message: "quitting now: scoring has no checkpoint and writes nothing; rerunning the same command resumes from the synthesis checkpoint and scores again", quitNow: true }
          : { message: `stopping after this ${phase === "finetune" ? "fine-tune" : "synthesis"} step and writing a checkpoint` },
      );
      const outcome = await dkoStage({
        signal: interrupt.signal,
        dir: outDir,
        stage1Dir: options.run,
        dataDir: options.data,
        config,
        policy: mismatchPolicy(options),
        log: (line) => console.error(line),
        onProgress: (event) => {
          phase = event.phase;
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
      })
        .catch((error: unknown) => {
          if (error instanceof SynthesisInterrupted) return { interrupted: `synthesis step ${error.step}` };
          if (error instanceof FinetuneInterrupted) return { interrupted: `back-end fine-tune step ${error.step}` };
          throw error;
        })
        .finally(() => {
          bar.stop();
          interrupt.release();
        });
      if ("interrupted" in outcome) {
        // A first run stopped before any synthesis checkpoint is rolled back by the stage: nothing to resume then.
        reportInterrupted(
          existsSync(outDir)
            ? `interrupted at ${outcome.interrupted}; checkpoint written in ${outDir}, which holds no summary.json until the run finishes. Continue with the same command.`
            : `interrupted at ${outcome.interrupted}; it stopped before the first synthesis checkpoint, so ${outDir} was removed and the same command starts afresh.`,
        );
        return;
      }
      const { summary, reused } = outcome;
      if (reused) console.log(`${outDir} already holds this DKO result (same settings); nothing to synthesise`);
      const s = summary.synthesis;
      const poorFit = s.meanCorrelation < POOR_FIT.correlation || s.meanEnergyOutsideKernel > POOR_FIT.energyOutsideKernel;
      const { reportWarnings } = await import("../warnings.js");
      await reportWarnings("synthesize", join(outDir, "summary.json"), [
        drawsIgnored,
        summary.bank.validity.warning && `window model: ${summary.bank.validity.warning}`,
        poorFit
          ? `the metasurfaces do not realise the kernels (correlation ${s.meanCorrelation.toFixed(3)}, ${(100 * s.meanEnergyOutsideKernel).toFixed(0)} % of the light outside the kernel); the optical network below is not the electronic one. Check the geometry (--cells, --cell-pitch-um, --distance-mm, --sensor-pitch-um) or synthesise longer (--steps)`
          : null,
      ]);
      if (poorFit) process.exitCode = 2;
      console.log(
        `synthesised ${summary.bank.active} of ${summary.bank.metasurfaces} metasurfaces (${config.optics.cells}x${config.optics.cells} cells) in ${s.seconds.toFixed(1)} s, ${s.chunks} chunks of up to ${s.steps} steps${s.stoppedEarly ? " (early stop)" : ""}, ${(s.secondsPerStep * 1000).toFixed(0)} ms per step of the whole bank, peak RSS ${(s.peakRss_bytes / 2 ** 20).toFixed(0)} MiB on ${summary.complexOps?.name}`,
      );
      console.log(`fit: mean NMSE ${s.meanNmse.toFixed(4)}, correlation ${s.meanCorrelation.toFixed(4)}, energy outside kernel ${(100 * s.meanEnergyOutsideKernel).toFixed(1)} %, kernel bank NMSE ${s.kernelBankNmse.toFixed(4)}; ${(100 * s.meanKernelEfficiency).toFixed(1)} % of the incident light in the kernels (efficiency weight ${summary.config.optimiser.efficiencyWeight ?? 0})`);
      const m = summary.metrics;
      const rows: [string, { absRel: number; rmse: number; delta1: number }][] = [["electronic", m.electronic], ["optical (design)", m.optical]];
      if (m.sensorArray) rows.push(["optical (sensor, halo + neighbours)", m.sensorArray.test]);
      if (m.opticalQuantised) rows.push([`optical (${config.evaluation.quantiseLevels} levels)`, m.opticalQuantised]);
      m.fabrication.forEach((f, d) => rows.push([`optical, fabrication draw ${d}`, f.test]));
      if (m.finetune) rows.push([`fine-tuned ${m.finetune.steps} steps`, m.finetune.test]);
      const { describeProtocol } = await import("../../eval/depth-protocol.js");
      console.log(`test split (${m.testImages} images; ${describeProtocol(m.evalProtocol)}):`);
      console.log(`${"network".padEnd(35)} ${"AbsRel".padStart(8)} ${"RMSE".padStart(8)} ${"delta1".padStart(8)}`);
      for (const [name, r] of rows) console.log(`${name.padEnd(35)} ${r.absRel.toFixed(4).padStart(8)} ${r.rmse.toFixed(4).padStart(8)} ${r.delta1.toFixed(4).padStart(8)}`);
      console.log(`outputs: ${outDir}`);
    });
}
