import type { Command } from "commander";
import { z } from "zod";
import { mismatchPolicy, parseOptions, stageOptions } from "../options.js";

const STAGE = stageOptions({ preset: "the experiment", force: "recompute artifacts that were made with other settings (default: refuse and list what differs)" });
const PipelineOptions = z.object(STAGE.fields);

export function register(program: Command): void {
  STAGE.addTo(program.command("pipeline").description("run every stage of a preset headless (data, stage-1 CNN, DKO) without Jupyter, reusing what is up to date"))
    .action(async (raw) => {
      const options = parseOptions(PipelineOptions, raw);
      const { presetPipeline } = await import("../../pipeline/pipeline.js");
      const pipeline = presetPipeline(options.preset, { policy: mismatchPolicy(options), log: (line) => console.error(line) });
      const dko = await pipeline.dko();
      const m = dko.metrics;
      console.log(JSON.stringify({ preset: options.preset, layout: pipeline.layout, test: { electronic: m.electronic, dko: m.optical }, kernelBankNmse: dko.synthesis.kernelBankNmse }, null, 2));
    });
}
