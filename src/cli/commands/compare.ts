import type { Command } from "commander";
import { z } from "zod";
import { mismatchPolicy, parseOptions, stageOptions } from "../options.js";

const numberList = (what: string) =>
  z
    .string()
    .regex(/^\s*-?\d+(\.\d+)?(\s*,\s*-?\d+(\.\d+)?)*\s*$/, `must be a comma-separated list of ${what}, e.g. 0.5,1,2`)
    .transform((s) => s.split(",").map(Number))
    .optional();

const STAGE = stageOptions({ preset: "the experiment", force: "replace a comparison that was made with other settings" });
const CompareOptions = z.object({
  ...STAGE.fields,
  budgets: numberList("budget factors"),
  seeds: numberList("seeds"),
  sensorArray: z.boolean().optional(),
});

export function register(program: Command): void {
  STAGE.addTo(program.command("compare"))
    .description(
      "DKO against E2E at equal optimisation time: several budgets and seeds in one process; summary.json, metrics.csv and a cost table. " +
        "Ctrl-C or SIGTERM keeps the finished budgets of each seed and the same command runs the rest; the budget in progress starts again, " +
        "because its methods must be timed in one process (a resumed comparison says so in summary.json: processes, resumed, warnings)",
    )
    .option("--budgets <list>", "budget factors, times the preset's DKO spend (default: the preset's, e.g. 0.5,1,2)")
    .option("--seeds <list>", "seeds (default: the preset's, e.g. 0,1,2)")
    .option("--sensor-array", "also score DKO's and every E2E design with the sensor's image formation (halo and neighbours; minutes per design at the default preset, outside the budgets)")
    .action(async (raw) => {
      const options = parseOptions(CompareOptions, raw);
      const { presetPipeline } = await import("../../pipeline/pipeline.js");
      const overrides = {
        ...(options.budgets ? { budgetFactors: options.budgets } : {}),
        ...(options.seeds ? { seeds: options.seeds } : {}),
        ...(options.sensorArray ? { sensorArray: true } : {}),
      };
      const pipeline = presetPipeline(options.preset, { policy: mismatchPolicy(options), log: (line) => console.error(line) });
      const { CompareInterrupted } = await import("../../e2e/compare.js");
      const { withInterrupt, reportInterrupted } = await import("../interrupt.js");
      const outcome = await withInterrupt(
        "compare",
        () => ({ message: "stopping at the next step; finished budgets are kept, the one in progress starts again when you rerun the same command (its methods must be timed in one process)" }),
        (signal) =>
          pipeline.compare(overrides, signal).catch((error: unknown) => {
            if (error instanceof CompareInterrupted) return error;
            throw error;
          }),
      );
      if (outcome instanceof CompareInterrupted) {
        const { dir } = outcome;
        reportInterrupted(
          `interrupted in ${outcome.stoppedIn}; kept in ${dir}: ${outcome.kept.join(", ") || "nothing yet"}. ${dir} holds no summary.json until the comparison finishes; ` +
            "run the same command again to resume (the resumed summary records that its units were timed in more than one process)",
        );
        return;
      }
      const { summary, dir } = outcome;
      const { reportWarnings, opticsValidityWarning } = await import("../warnings.js");
      const { presetDkoConfig } = await import("../../pipeline/preset-configs.js");
      const { join } = await import("node:path");
      const { firstLayer } = pipeline.preset.stage1.net;
      const validity = await opticsValidityWarning(presetDkoConfig(options.preset).optics, { kernelSize: firstLayer.size, inChannels: 3, outChannels: firstLayer.kernels });
      // The comparison's own warnings (units from several processes) stay; the optics' is added.
      summary.warnings = await reportWarnings("compare", join(dir, "summary.json"), [...(summary.warnings ?? []), validity]);
      console.log(compareReport(summary));
      console.log(`outputs: ${dir} (summary.json, metrics.csv, examples/)`);
    });
}

type Summary = Awaited<ReturnType<Awaited<ReturnType<typeof import("../../pipeline/pipeline.js").presetPipeline>>["compare"]>>["summary"];

/** The ratios per budget (mean +- std over seeds, with the range) and the cost table, as text. */
function compareReport(summary: Summary): string {
  const lines: string[] = [`budget: ${summary.budgetDefinition}`, `machine: ${summary.cpu}; ${summary.testImages} test images`];
  const pm = (s: { mean: number; std: number; min: number; max: number }, digits = 3) => `${s.mean.toFixed(digits)} +- ${s.std.toFixed(digits)} [${s.min.toFixed(digits)}, ${s.max.toFixed(digits)}]`;
  for (const budget of summary.budgets) {
    const spend = budget.seeds.map((s) => s.budgetSeconds.toFixed(1)).join(", ");
    lines.push("", `budget x${budget.factor} (DKO spend per seed: ${spend} s)`);
    for (const [method, m] of Object.entries(budget.metrics)) {
      lines.push(`  ${method.padEnd(20)} AbsRel ${pm(m.absRel)}  RMSE ${pm(m.rmse)}  kernel NMSE ${pm(m.kernelBankNmse)}`);
    }
    for (const [method, r] of Object.entries(budget.ratios)) {
      const sensor = r.sensorAbsRel ? `; with the sensor's image formation AbsRel ratio ${pm(r.sensorAbsRel)}` : "";
      lines.push(`  ${method} / dko: AbsRel ratio ${pm(r.absRel)}, RMSE ratio ${pm(r.rmse)}${sensor}`);
    }
  }
  lines.push("", "cost per optimisation step (seconds: mean over the runs; memory: peak tensors + counted optics arrays):");
  lines.push(`  ${"method".padEnd(22)} ${"s/step".padStart(9)} ${"MiB".padStart(8)} ${"params".padStart(10)} ${"GFLOP".padStart(9)} ${"x DKO-2 (s)".padStart(12)} ${"x DKO-2 (FLOP)".padStart(15)}`);
  for (const row of summary.cost) {
    lines.push(
      `  ${row.method.padEnd(22)} ${row.secondsPerStep.mean.toFixed(4).padStart(9)} ${(row.peakMemory_bytes / 2 ** 20).toFixed(1).padStart(8)} ${String(row.trainableParameters).padStart(10)} ${(row.flopsPerStep / 1e9).toFixed(3).padStart(9)} ${row.ratioToDkoStage2.seconds.toFixed(2).padStart(12)} ${row.ratioToDkoStage2.flops.toFixed(2).padStart(15)}`,
    );
  }
  const first = summary.budgets[0]?.seeds[0];
  if (first) {
    lines.push("", `reference kernel banks (stage-1 back end frozen; seed ${first.seed}, budget x${summary.budgets[0].factor}):`);
    for (const r of first.references) lines.push(`  ${r.reference.padEnd(40)} kernel NMSE ${r.kernelBankNmse.toFixed(3)}  AbsRel ${r.test.absRel.toFixed(4)}  RMSE ${r.test.rmse.toFixed(4)}`);
  }
  return lines.join("\n");
}
