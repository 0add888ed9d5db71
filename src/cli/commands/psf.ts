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
  sensorPitchUm: z.coerce
    .number()
    .min(0.01, "--sensor-pitch-um is in micrometres (0.01..1000), e.g. 2.74")
    .max(1000, "--sensor-pitch-um is in micrometres (0.01..1000), e.g. 2.74")
    .optional(),
  windowPixels: z.coerce.number().int("--window-pixels must be an integer").min(1, "--window-pixels must be at least 1").optional(),
  out: z.string().min(1, "--out needs a file name"),
});

const OPTION_NAMES: Record<string, string> = {
  wavelengthNm: "wavelength-nm",
  pitchUm: "pitch-um",
  distanceMm: "distance-mm",
  sensorPitchUm: "sensor-pitch-um",
  windowPixels: "window-pixels",
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
    .option("--sensor-pitch-um <um>", "asm only, with --window-pixels: a sensor window centred on the axis, the cells as piecewise-constant patches (the DKO window model's cell model) and the pixels integrated to convergence")
    .option("--window-pixels <n>", "sensor pixels per side of that window (e.g. 14 for a 7x7 kernel's fit window)")
    .requiredOption("--out <file>", "output PSF .npy (float32, same shape as the phase)")
    .action(async (raw: Record<string, unknown>) => {
      const parsed = PsfOptionsSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const key = String(issue.path[0] ?? "");
        throw new Error(`psf: --${OPTION_NAMES[key] ?? key}: ${issue.message}`);
      }
      const options = parsed.data;
      if ((options.sensorPitchUm === undefined) !== (options.windowPixels === undefined)) {
        throw new Error("psf: give --sensor-pitch-um and --window-pixels together (a sensor window), or neither (the N x N field at the cell pitch)");
      }
      if (options.windowPixels !== undefined && options.method !== "asm") {
        throw new Error(`psf: a sensor window (--sensor-pitch-um, --window-pixels) is computed by the cell-model angular spectrum: use --method asm, not ${options.method}`);
      }
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
      if (options.sensorPitchUm !== undefined && options.windowPixels !== undefined) {
        const { CellAsmWindow } = await import("../../optics/cell-asm-window.js");
        const { Grid } = await import("../../optics/grid.js");
        const { SensorWindow } = await import("../../optics/pixel-quadrature.js");
        const { convergedSubsamples } = await import("../../optics/psf-model.js");
        const geometry = { cells: phase.size, cellPitch_m: options.pitchUm * 1e-6, distance_m: options.distanceMm * 1e-3, sensorPitch_m: options.sensorPitchUm * 1e-6, wavelengths_m: [options.wavelengthNm * 1e-9] };
        const nodesPerPixel = convergedSubsamples(geometry);
        const window = new SensorWindow({ pixels: options.windowPixels, pitch_m: geometry.sensorPitch_m, nodesPerPixel });
        const asm = new CellAsmWindow({ grid: new Grid(phase.size, geometry.cellPitch_m, "phase map"), wavelength_m: geometry.wavelengths_m[0], distance_m: geometry.distance_m, window }, ops);
        const cells = phase.size ** 2;
        const M = options.windowPixels;
        const psf = new Float32Array(phase.batch * M * M);
        for (let b = 0; b < phase.batch; b++) {
          const plane = phase.data.subarray(b * cells, (b + 1) * cells);
          const amplitude = (i: number) => (aperture ? aperture[i] : 1);
          const energies = asm.energies({ re: plane.map((p, i) => amplitude(i) * Math.cos(p)), im: plane.map((p, i) => amplitude(i) * Math.sin(p)) });
          const sum = energies.reduce((a, e) => a + e, 0);
          if (!(sum > 0)) throw new Error(`psf: the sensor window of plane ${b} receives no light; check the distance and window size`);
          psf.set(energies.map((e) => e / sum), b * M * M);
        }
        writeMapStack(options.out, psf, phase.batch, M);
        console.log(
          JSON.stringify(
            {
              out: options.out,
              shape: phase.batch === 1 ? [M, M] : [phase.batch, M, M],
              method: "asm (piecewise-constant cells, sensor window)",
              sensorPitch_m: geometry.sensorPitch_m,
              nodesPerPixel,
              frequencies: asm.frequencies,
              complexOps: ops.name,
              complexOpsFallbacks: fallbacks,
            },
            null,
            2,
          ),
        );
        return;
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
