import type { Command } from "commander";
import { z } from "zod";

const PsfOptionsSchema = z.object({
  phase: z.string().min(1, "--phase needs a .npy file"),
  amplitude: z.string().min(1).optional(),
  wavelengthNm: z.coerce
    .number()
    .min(100, "--wavelength-nm is in nanometres (100..20000), e.g. 550; a value below 100 looks like micrometres")
    .max(20000, "--wavelength-nm is in nanometres (100..20000), e.g. 550"),
  pitchUm: z.coerce
    .number()
    .min(0.01, "--pitch-um is in micrometres (0.01..1000), e.g. 2.5; a smaller value looks like metres or millimetres")
    .max(1000, "--pitch-um is in micrometres (0.01..1000), e.g. 2.5; a larger value looks like nanometres"),
  distanceMm: z.coerce
    .number()
    .min(1e-4, "--distance-mm is in millimetres (1e-4..1000), e.g. 10")
    .max(1000, "--distance-mm is in millimetres (1e-4..1000), e.g. 10; a larger value looks like micrometres"),
  method: z.enum(["asm", "fresnel", "fraunhofer"], { message: "--method must be asm, fresnel or fraunhofer" }),
  padding: z.coerce.number().int("--padding must be an integer").min(1, "--padding must be at least 1").default(2),
  out: z.string().min(1, "--out needs a file name"),
});

const OPTION_NAMES: Record<string, string> = {
  wavelengthNm: "wavelength-nm",
  pitchUm: "pitch-um",
  distanceMm: "distance-mm",
};

export function register(program: Command): void {
  program
    .command("psf")
    .description(
      "PSF (intensity) of a phase map: unit amplitude over the grid (or --amplitude), propagated by the band-limited angular spectrum, Fresnel or a lens focus (fraunhofer) with zero-padding; central N x N samples, normalised to unit sum",
    )
    .requiredOption("--phase <file>", "phase map in radians, .npy [N, N] or a stack [B, N, N]")
    .option("--amplitude <file>", "incident amplitude map .npy [N, N] (default: 1 everywhere)")
    .requiredOption("--wavelength-nm <nm>", "wavelength in nanometres")
    .requiredOption("--pitch-um <um>", "cell (sample) pitch of the phase map in micrometres")
    .requiredOption("--distance-mm <mm>", "propagation distance (focal length for fraunhofer) in millimetres")
    .requiredOption("--method <method>", "asm | fresnel (transfer function or impulse response, by the sampling rule) | fraunhofer (focal plane of an ideal lens of focal length distance)")
    .option("--padding <factor>", "zero-padding factor of the FFT grid", "2")
    .requiredOption("--out <file>", "output PSF .npy (float32, same shape as the phase)")
    .action(async (raw: Record<string, unknown>) => {
      const parsed = PsfOptionsSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const key = String(issue.path[0] ?? "");
        throw new Error(`psf: --${OPTION_NAMES[key] ?? key}: ${issue.message}`);
      }
      const options = parsed.data;
      const { initComplexOps } = await import("../../engine/complex/select.js");
      const { readMapStack, writeMapStack } = await import("../../optics/arrays-io.js");
      const { PhaseMetasurface } = await import("../../optics/metasurface.js");
      const { createFullFieldPsfModel } = await import("../../optics/psf-model.js");
      const { ops, fallbacks } = await initComplexOps();
      const phase = readMapStack(options.phase, "phase map");
      let aperture: Float32Array | undefined;
      if (options.amplitude) {
        const amplitude = readMapStack(options.amplitude, "amplitude map");
        if (amplitude.batch !== 1 || amplitude.size !== phase.size) {
          throw new Error(`psf: --amplitude ${options.amplitude} must be one ${phase.size}x${phase.size} map like the phase, got ${amplitude.batch} of ${amplitude.size}x${amplitude.size}`);
        }
        aperture = amplitude.data;
      }
      const model = createFullFieldPsfModel(
        {
          cells: phase.size,
          cellPitch_m: options.pitchUm * 1e-6,
          distance_m: options.distanceMm * 1e-3,
          wavelengths_m: new Array<number>(phase.batch).fill(options.wavelengthNm * 1e-9),
          metasurface: new PhaseMetasurface(),
          method: options.method === "fraunhofer" ? "lens-focus" : options.method,
          padding: options.padding,
          aperture,
          normalisation: "unit-sum",
        },
        ops,
      );
      const psf = model.forward(phase.data);
      writeMapStack(options.out, psf, phase.batch, model.windowPixels);
      const { FullFieldPropagator } = await import("../../optics/propagation.js");
      const operator = model.operator;
      console.log(
        JSON.stringify(
          {
            out: options.out,
            shape: phase.batch === 1 ? [model.windowPixels, model.windowPixels] : [phase.batch, model.windowPixels, model.windowPixels],
            method: operator instanceof FullFieldPropagator ? operator.method : options.method,
            outputPitch_m: operator.outputPitch_m,
            padding: options.padding,
            complexOps: ops.name,
            complexOpsFallbacks: fallbacks,
          },
          null,
          2,
        ),
      );
    });
}
