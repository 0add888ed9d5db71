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
  /** Gauss-Legendre nodes per sensor pixel and axis; omitted = converged (optics/psf-model.ts convergedSubsamples). */
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

export const DKO_PRESET_NAMES = ["tiny", "default", "paper"] as const;
export type DkoPresetName = (typeof DKO_PRESET_NAMES)[number];

const RGB_M = [640e-9, 550e-9, 460e-9];
const EVALUATION: DkoEvaluation = { fabricationDraws: 3, finetuneSteps: 0 };

/**
 * Geometries: the lens chirp of a focus at distance z is sampled without aliasing when
 * z >= D dx / lambda_min (D the aperture, dx the cell pitch), and the focal spot lambda z / D should be
 * about one sensor pixel, so the kernel's pixel-scale detail can be reproduced.
 */
export const DKO_PRESETS: Record<DkoPresetName, { description: string; optics: DkoOptics; optimiser: DkoOptimiser; evaluation: DkoEvaluation }> = {
  tiny: {
    description: "CI-sized: 64 x 64 cells at 2 um, 0.6 mm to the sensor; seconds",
    optics: { cells: 64, cellPitch_m: 2e-6, distance_m: 0.6e-3, sensorPitch_m: 2.74e-6, channelWavelengths_m: RGB_M, metasurface: "phase", fitWindowFactor: 2 },
    optimiser: { learningRate: 0.1, weightDecay: 0, steps: 150, patience: 20, tolerance: 1e-3, seed: 0, initNoise_rad: 0.1 },
    evaluation: { ...EVALUATION, fabricationDraws: 2 },
  },
  default: {
    description: "the paper's smaller variant, 513 x 513 cells at 1.5 um, 3 mm to a 2.74 um sensor; minutes on 2 cores",
    optics: { cells: 513, cellPitch_m: 1.5e-6, distance_m: 3e-3, sensorPitch_m: 2.74e-6, channelWavelengths_m: RGB_M, metasurface: "phase", fitWindowFactor: 2 },
    // lr 0.3 and 0.5 rad start noise reached in 60 steps a lower loss than lr 0.1 / 0.1 rad in 150 (measured).
    optimiser: { learningRate: 0.3, weightDecay: 0, steps: 80, patience: 10, tolerance: 2e-3, seed: 0, initNoise_rad: 0.5 },
    evaluation: EVALUATION,
  },
  paper: {
    description: "the paper's geometry: 1025 x 1025 cells at 2.5 um, 1 cm to a 2.74 um sensor, 500 steps",
    optics: { cells: 1025, cellPitch_m: 2.5e-6, distance_m: 1e-2, sensorPitch_m: 2.74e-6, channelWavelengths_m: RGB_M, metasurface: "phase", fitWindowFactor: 2 },
    optimiser: { learningRate: 0.05, weightDecay: 0, steps: 500, patience: 50, tolerance: 1e-3, seed: 0, initNoise_rad: 0.1 },
    evaluation: EVALUATION,
  },
};

export interface DkoOverrides {
  optics?: Partial<DkoOptics>;
  optimiser?: Partial<DkoOptimiser>;
  evaluation?: Partial<DkoEvaluation>;
}

/** A preset with overrides, validated (errors name the field, e.g. "optics.cells"). */
export function dkoConfig(preset: DkoPresetName, overrides: DkoOverrides = {}): DkoConfig {
  const base = DKO_PRESETS[preset];
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
