import type { Command } from "commander";
import { z } from "zod";
import { parseOptions } from "../options.js";
import { PRESET_NAMES, PresetNameSchema, defaultPresetName } from "../../pipeline/presets.js";

const PipelineOptions = z.object({ preset: PresetNameSchema, force: z.boolean().optional() });

export function register(program: Command): void {
  program
    .command("pipeline")
    .description("run every stage of a preset headless (data, stage-1 CNN, DKO) without Jupyter, reusing what is up to date")
    .option("--preset <name>", `experiment preset (${PRESET_NAMES.join(", ")}; src/pipeline/presets.ts)`, defaultPresetName())
    .option("--force", "recompute artifacts that were made with other settings (default: refuse and list what differs)")
    .action(async (raw) => {
      const options = parseOptions(PipelineOptions, raw);
      const { presetPipeline } = await import("../../pipeline/pipeline.js");
      const pipeline = presetPipeline(options.preset, { policy: options.force ? "recompute" : "refuse", log: (line) => console.error(line) });
      const dko = await pipeline.dko();
      const m = dko.metrics;
      console.log(JSON.stringify({ preset: options.preset, layout: pipeline.layout, test: { electronic: m.electronic, dko: m.optical }, kernelBankNmse: dko.synthesis.kernelBankNmse }, null, 2));
    });
}
