import { z } from "zod";

/**
 * Settings of stage 2 (DKO): the optics geometry every metasurface shares, the optimiser that fits
 * each metasurface's PSF to its kernel, and how the optical network is evaluated.
 */
export const DkoOpticsSchema = z.object({
  /** Metasurface cells per side and their pitch. */
  cells: z.number().int().min(8, "cells must be at least 8"),
  cellPitch_m: z.number().positive().max(1e-4, "cellPitch_m is in metres (e.g. 1.5e-6)"),
  /** Metasurface-to-sensor distance. */
  distance_m: z.number().positive().max(1, "distance_m is in metres (e.g. 3e-3)"),
  sensorPitch_m: z.number().positive().max(1e-4, "sensorPitch_m is in metres (e.g. 2.74e-6)"),
  /** Wavelength imaging each input colour channel, R G B order (R the longest). */
  channelWavelengths_m: z.array(z.number().min(200e-9, "wavelengths are in metres (e.g. 640e-9)").max(2e-6, "wavelengths are in metres (e.g. 640e-9)")).length(3, "give one wavelength per colour channel (R, G, B)"),
  /** Sensor samples per pixel and axis; omitted = Nyquist for the shortest wavelength. */
  subsamplesPerPixel: z.number().int().positive().optional(),
  metasurface: z.enum(["phase", "nanopillar"]),
  /** Nanopillar lookup table (JSON); omitted = the bundled TiO2 table. */
  lutPath: z.string().min(1).optional(),
  /** Fit window = fitWindowFactor x kernel size pixels per side (light in it but outside the kernel is penalised). */
  fitWindowFactor: z.number().int().min(1),
});
export type DkoOptics = z.infer<typeof DkoOpticsSchema>;

export const DkoOptimiserSchema = z.object({
  /** Adam(W) step size on the metasurface parameters (radians for phase). */
  learningRate: z.number().positive(),
  /** Cosine decay of the step size over `steps` to this fraction of learningRate (default 1: constant). */
  finalLrFraction: z.number().min(0).max(1).optional(),
  /**
   * Weight of the light term of the window loss (src/dko/window-loss.ts): shape NMSE traded per unit of the
   * window's share of the incident light. Omitted = 0, the paper's shape-only loss, which lets the designs
   * scatter their light out of the window.
   */
  efficiencyWeight: z.number().min(0).optional(),
  /** Decoupled weight decay (0 = Adam). */
  weightDecay: z.number().min(0),
  /** Maximum optimisation steps. */
  steps: z.number().int().positive(),
  /** Stop when the mean loss has not improved by a relative `tolerance` for `patience` steps. */
  patience: z.number().int().positive(),
  tolerance: z.number().min(0),
  /** Seed of the initial phase noise. */
  seed: z.number().int().min(0),
  /** Rms of the noise added to the initial focusing lens phase (radians). */
  initNoise_rad: z.number().min(0),
});
export type DkoOptimiser = z.infer<typeof DkoOptimiserSchema>;

/**
 * Scoring with the sensor's image formation (src/dko/sensor-formation.ts): each sub-image with its PSF over
 * the whole image and the light of its neighbours in the array.
 */
export const SensorArraySettingsSchema = z.object({
  /** Centre-to-centre distance of the metasurfaces; omitted = the aperture (zero spacing, the paper's array). */
  pitch_m: z.number().positive().max(1, "pitch_m is in metres (e.g. 770e-6)").optional(),
  /** Rings of neighbours whose light is formed; omitted = enough to reach the first grating orders (at least 1). */
  rings: z.number().int().min(0).optional(),
  /** PSFs by stage 2's window transform (default) or by the cell-model angular spectrum (exact, far costlier). */
  propagation: z.enum(["window", "cell-asm"]).optional(),
});
export type SensorArraySettings = z.infer<typeof SensorArraySettingsSchema>;

export const DkoEvaluationSchema = z.object({
  /** Phase levels of the fabricated surface (phase metasurfaces only); omitted = continuous phase. */
  quantiseLevels: z.number().int().min(2).optional(),
  /** Fabrication error rms per cell: phase (radians, phase metasurfaces) or radius (metres, nanopillars). */
  fabricationRms_rad: z.number().min(0).optional(),
  fabricationRadiusRms_m: z.number().min(0).max(1e-6, "fabricationRadiusRms_m is in metres (e.g. 5e-9)").optional(),
  /** Independent fabrication-error draws to evaluate the network under. */
  fabricationDraws: z.number().int().positive(),
  /** Back-end fine-tuning steps behind the frozen optical layer (0 = none). */
  finetuneSteps: z.number().int().min(0),
  /** Test images scored (omitted = the whole test split). */
  testLimit: z.number().int().positive().optional(),
  /** Also score the network with the sensor's image formation (halo and neighbours); omitted = kernel-only model only. */
  sensorArray: SensorArraySettingsSchema.optional(),
});
export type DkoEvaluation = z.infer<typeof DkoEvaluationSchema>;

export const DkoConfigSchema = z
  .object({ preset: z.string().optional(), optics: DkoOpticsSchema, optimiser: DkoOptimiserSchema, evaluation: DkoEvaluationSchema })
  .superRefine((config, ctx) => {
    const phase = config.optics.metasurface === "phase";
    if (!phase && config.evaluation.quantiseLevels !== undefined) {
      ctx.addIssue({ code: "custom", path: ["evaluation", "quantiseLevels"], message: "phase quantisation applies to phase metasurfaces; a nanopillar table is already discrete in radius" });
    }
    if (!phase && config.evaluation.fabricationRms_rad !== undefined) {
      ctx.addIssue({ code: "custom", path: ["evaluation", "fabricationRms_rad"], message: "nanopillar metasurfaces take a radius error (fabricationRadiusRms_m), not a phase error" });
    }
    if (phase && config.evaluation.fabricationRadiusRms_m !== undefined) {
      ctx.addIssue({ code: "custom", path: ["evaluation", "fabricationRadiusRms_m"], message: "phase metasurfaces take a phase error (fabricationRms_rad), not a radius error" });
    }
  });
export type DkoConfig = z.infer<typeof DkoConfigSchema>;

export interface DkoOverrides {
  optics?: Partial<DkoOptics>;
  optimiser?: Partial<DkoOptimiser>;
  evaluation?: Partial<DkoEvaluation>;
}

/** Base settings (a preset's) with overrides, validated (errors name the field, e.g. "optics.cells"). */
export function resolveDkoConfig(
  base: { preset?: string; optics: DkoOptics; optimiser: DkoOptimiser; evaluation: DkoEvaluation },
  overrides: DkoOverrides = {},
): DkoConfig {
  const preset = base.preset;
  const drop = <T extends object>(o: T | undefined) => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined));
  const parsed = DkoConfigSchema.safeParse({
    preset,
    optics: { ...base.optics, ...drop(overrides.optics) },
    optimiser: { ...base.optimiser, ...drop(overrides.optimiser) },
    evaluation: { ...base.evaluation, ...drop(overrides.evaluation) },
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`invalid DKO settings:\n  ${lines.join("\n  ")}`);
  }
  return parsed.data;
}
