import type { Command } from "commander";
import { z } from "zod";
import { parseOptions } from "../options.js";
import { MICROMETRES, MILLIMETRES, NANOMETRES, quantity } from "../units.js";

const PsfOptionsSchema = z.object({
  phase: z.string().min(1, "needs a .npy file"),
  amplitude: z.string().min(1).optional(),
  wavelengthNm: quantity(NANOMETRES(100, 20000)),
  pitchUm: quantity(MICROMETRES(0.01, 1000)),
  distanceMm: quantity(MILLIMETRES(1e-4, 1000)),
  method: z.enum(["asm", "fresnel", "fraunhofer"], { message: "must be asm, fresnel or fraunhofer" }),
  padding: z.coerce.number().int("must be a whole number").min(1, "must be at least 1").max(64, "must be at most 64 (the FFT grid is padding x N per side)").default(2),
  sensorPitchUm: quantity(MICROMETRES(0.01, 1000)).optional(),
  windowPixels: z.coerce.number().int("must be a whole number").min(1, "must be at least 1").max(1024, "must be at most 1024").optional(),
  convergenceTolerance: z.coerce.number().positive("must be a positive L1 distance").max(2, "must be at most 2 (the largest L1 distance of two unit-sum PSFs)").default(0.02),
  force: z.boolean().optional(),
  out: z.string().min(1, "needs a file name"),
});

export function register(program: Command): void {
  program
    .command("psf")
    .description(
      "PSF (intensity) of a phase map: unit amplitude over the grid (or --amplitude), propagated by the band-limited angular spectrum, Fresnel or a lens focus (fraunhofer) with zero-padding; central N x N samples, normalised to unit sum. For asm and fresnel the PSF is recomputed at twice the padding and the L1 change (light wrapping around the padded window) is reported; above --convergence-tolerance a warning says so",
    )
    .requiredOption("--phase <file>", "phase map in radians, .npy [N, N] or a stack [B, N, N]")
    .option("--amplitude <file>", "incident amplitude map .npy [N, N] (default: 1 everywhere)")
    .requiredOption("--wavelength-nm <nm>", "wavelength in nanometres")
    .requiredOption("--pitch-um <um>", "cell (sample) pitch of the phase map in micrometres")
    .requiredOption("--distance-mm <mm>", "propagation distance (focal length for fraunhofer) in millimetres")
    .requiredOption("--method <method>", "asm | fresnel (transfer function or impulse response, by the sampling rule) | fraunhofer (focal plane of an ideal lens of focal length distance)")
    .option("--padding <factor>", "zero-padding factor of the FFT grid (1..64)", "2")
    .option("--convergence-tolerance <l1>", "largest accepted L1 change of the unit-sum PSF when the padding doubles", "0.02")
    .option("--sensor-pitch-um <um>", "asm only, with --window-pixels: a sensor window centred on the axis, the cells as piecewise-constant patches (the DKO window model's cell model) and the pixels integrated to convergence")
    .option("--window-pixels <n>", "sensor pixels per side of that window (e.g. 14 for a 7x7 kernel's fit window)")
    .requiredOption("--out <file>", "output PSF .npy (float32, same shape as the phase)")
    .option("--force", "replace an existing PSF .npy at --out")
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(PsfOptionsSchema, raw);
      const { checkOutputFile, writeOutput } = await import("../output-file.js");
      const { isFloat32Npy } = await import("../../io/npy.js");
      checkOutputFile({
        flag: "--out", path: options.out, force: options.force, what: "PSF .npy", isOwnOutput: isFloat32Npy,
        inputs: [{ flag: "--phase", path: options.phase }, { flag: "--amplitude", path: options.amplitude }],
      });
      const { initComplexOps } = await import("../../engine/complex/select.js");
      const { readMapStack, writeMapStack } = await import("../../optics/arrays-io.js");
      const { PhaseMetasurface } = await import("../../optics/metasurface.js");
      const { createFullFieldPsfModel } = await import("../../optics/psf-model.js");
      const { checkPaddedGridMemory, paddingConvergence } = await import("../../optics/padding-convergence.js");
      if ((options.sensorPitchUm === undefined) !== (options.windowPixels === undefined)) {
        throw new Error("--sensor-pitch-um and --window-pixels go together (a sensor window), or neither (the N x N field at the cell pitch)");
      }
      if (options.windowPixels !== undefined && options.method !== "asm") {
        throw new Error(`--method ${options.method}: a sensor window (--sensor-pitch-um, --window-pixels) is computed by the cell-model angular spectrum; use --method asm`);
      }
      const { ops, fallbacks } = await initComplexOps();
      const phase = readMapStack(options.phase, "phase map");
      let aperture: Float32Array | undefined;
      if (options.amplitude) {
        const amplitude = readMapStack(options.amplitude, "amplitude map");
        if (amplitude.batch !== 1 || amplitude.size !== phase.size) {
          throw new Error(`--amplitude ${options.amplitude} must be one ${phase.size}x${phase.size} map like the phase, got ${amplitude.batch} of ${amplitude.size}x${amplitude.size}`);
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
          if (!(sum > 0)) throw new Error(`--phase ${options.phase}: the sensor window of plane ${b} receives no light; check --distance-mm and --window-pixels`);
          psf.set(energies.map((e) => e / sum), b * M * M);
        }
        writeOutput("--out", options.out, () => writeMapStack(options.out, psf, phase.batch, M));
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
      checkPaddedGridMemory(phase.batch, phase.size, options.padding, "--padding");
      const modelAt = (padding: number) =>
        createFullFieldPsfModel(
          {
            cells: phase.size,
            cellPitch_m: options.pitchUm * 1e-6,
            distance_m: options.distanceMm * 1e-3,
            wavelengths_m: new Array<number>(phase.batch).fill(options.wavelengthNm * 1e-9),
            metasurface: new PhaseMetasurface(),
            method: options.method === "fraunhofer" ? "lens-focus" : options.method,
            padding,
            aperture,
            normalisation: "unit-sum",
          },
          ops,
        );
      const model = modelAt(options.padding);
      const psf = model.forward(phase.data);
      const convergence = paddingConvergence({
        psf, batch: phase.batch, padding: options.padding, tolerance: options.convergenceTolerance, model,
        cells: phase.size, recompute: (padding) => { const m = modelAt(padding); return { psf: m.forward(phase.data), outputPitch_m: m.operator.outputPitch_m }; },
      });
      writeOutput("--out", options.out, () => writeMapStack(options.out, psf, phase.batch, model.windowPixels));
      // A .npy has no room for warnings: they go into the JSON this command prints.
      const { reportWarnings } = await import("../warnings.js");
      const warnings = await reportWarnings("psf", null, [convergence.status === "not-converged" || (convergence.status === "not-checked" && convergence.reason === "memory") ? convergence.message : null]);
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
            convergence,
            warnings,
            complexOps: ops.name,
            complexOpsFallbacks: fallbacks,
          },
          null,
          2,
        ),
      );
    });
}
