import { z } from "zod";

/**
 * Settings of an NTKD run (src/ntkd/run.ts): data, the electronic teacher, the optical student (its
 * metasurface optics and digital back end), the four training modes, the accuracy estimate before
 * training, the layout rule and the fabrication study. Physical quantities carry their unit.
 */
const positiveInt = z.number().int().positive();

export const NtkdDataSchema = z.object({
  datasets: z.array(z.enum(["mnist", "fashion-mnist"])).min(1, "name at least one data set: mnist, fashion-mnist"),
  /** Training and test images kept per data set (first ones of each split). */
  trainLimit: positiveInt,
  testLimit: positiveInt,
  /** Directory of the Fashion-MNIST IDX files; omitted = Debian's /usr/share/datasets/fashion-mnist. */
  fashionMnistDir: z.string().min(1).optional(),
});

export const NtkdOpticsSchema = z.object({
  cells: z.number().int().min(8, "cells must be at least 8"),
  cellPitch_m: z.number().positive().max(1e-4, "cellPitch_m is in metres (e.g. 2e-6)"),
  distance_m: z.number().positive().max(1, "distance_m is in metres (e.g. 0.6e-3)"),
  sensorPitch_m: z.number().positive().max(1e-4, "sensorPitch_m is in metres (e.g. 2.74e-6)"),
  /** One wavelength: the images are grey. */
  wavelength_m: z.number().min(200e-9, "wavelength_m is in metres (e.g. 550e-9)").max(2e-6, "wavelength_m is in metres (e.g. 550e-9)"),
  /** PSF window = fitWindowFactor x kernel size pixels; its centre k x k is the kernel, the rest is lost light. */
  fitWindowFactor: z.number().int().min(1),
  subsamplesPerPixel: positiveInt.optional(),
  /** Rms of the phase noise on the initial focusing lens (radians): breaks the symmetry of the PSF pairs. */
  initNoise_rad: z.number().min(0),
});

export const NtkdStudentSchema = z.object({
  /** Signed optical kernels (each a pair of metasurfaces) and their size in sensor pixels. */
  kernels: positiveInt,
  kernelSize: z.number().int().min(1).refine((k) => k % 2 === 1, "kernelSize must be odd (the kernel has a centre pixel)"),
  /** Average pooling of the sensor features before the first fully connected layer. */
  pool: positiveInt,
  hidden: positiveInt,
});

export const NtkdTeacherSchema = z.object({
  /** Channels of the two 3x3 convolution layers and width of the hidden fully connected layer. */
  channels: z.array(positiveInt).length(2, "teacher.channels: give the channels of the two convolution layers, e.g. [16, 32]"),
  hidden: positiveInt,
  steps: positiveInt,
  learningRate: z.number().positive(),
});

export const NtkdTrainingSchema = z.object({
  /** The same budget for every mode: steps of batchSize images. */
  steps: positiveInt,
  batchSize: positiveInt,
  learningRate: z.number().positive(),
  /** Adam step on the metasurface phases (radians). */
  opticsLearningRate: z.number().positive(),
  seeds: z.array(z.number().int().min(0)).min(1),
});

export const NtkdLossSchema = z.object({
  /** Hinton KD: (1 - kdWeight) task + kdWeight T^2 KL(teacher_T || student_T). */
  kdTemperature: z.number().positive(),
  kdWeight: z.number().min(0).max(1),
  /** NTKD: alpha task + beta MSE(teacher NTK, student NTK). */
  alpha: z.number().min(0),
  beta: z.number().min(0),
  /** The NTK is taken on the first ntkSamples images of each mini-batch (n x n). */
  ntkSamples: positiveInt,
  /** Random parameter directions per NTK estimate and the central-difference step along them. */
  projections: positiveInt,
  step: z.number().positive(),
  /** Divide each NTK by its mean diagonal before the MSE (teacher and student differ in size). */
  normalise: z.boolean(),
});

export const NtkdDkoSchema = z.object({
  /** Share of the step budget spent on the electronic stage 1; the back end gets the rest behind the optics. */
  stage1Fraction: z.number().gt(0).lt(1),
  synthesisSteps: positiveInt,
  synthesisLearningRate: z.number().positive(),
});

export const NtkdEstimateSchema = z.object({
  /** Samples of the NTK kernel ridge regression: fit, ridge choice, score. */
  trainSamples: positiveInt,
  validationSamples: positiveInt,
  testSamples: positiveInt,
  projections: positiveInt,
  /** Ridge values tried, relative to the mean diagonal of the training kernel. */
  ridges: z.array(z.number().positive()).min(1),
  /** Kernel counts to estimate for (the trained count is always added). */
  kernelCounts: z.array(positiveInt).min(1),
});

export const NtkdLayoutSchema = z.object({
  /** Side of the square area available to the metasurface array, and the gap between metasurfaces. */
  arraySide_m: z.number().positive().max(1, "arraySide_m is in metres (e.g. 2e-3)"),
  spacing_m: z.number().min(0).max(1e-2, "spacing_m is in metres (e.g. 10e-6)"),
  /** Sensor pixels per side. */
  sensorPixels: positiveInt,
});

export const NtkdFabricationSchema = z.object({
  /** Phase error rms per cell (radians), sensor gain error rms (relative), sub-image shift rms (pixels), read noise (full scale = 1). */
  phaseRms_rad: z.number().min(0),
  gainRms: z.number().min(0),
  shiftRms_px: z.number().min(0),
  noiseStd: z.number().min(0),
  /** Share of the training images the back end is fine-tuned on, and the steps. */
  finetuneFraction: z.number().gt(0).max(1),
  finetuneSteps: positiveInt,
  /** Phase error rms values of the accuracy-versus-error sweep (radians). */
  sweepRms_rad: z.array(z.number().min(0)).min(1),
});

export const NtkdConfigSchema = z.object({
  preset: z.string().optional(),
  data: NtkdDataSchema,
  optics: NtkdOpticsSchema,
  student: NtkdStudentSchema,
  teacher: NtkdTeacherSchema,
  training: NtkdTrainingSchema,
  loss: NtkdLossSchema,
  dko: NtkdDkoSchema,
  estimate: NtkdEstimateSchema,
  layout: NtkdLayoutSchema,
  fabrication: NtkdFabricationSchema,
});
export type NtkdConfig = z.infer<typeof NtkdConfigSchema>;
export type NtkdOptics = z.infer<typeof NtkdOpticsSchema>;
export type NtkdLoss = z.infer<typeof NtkdLossSchema>;
export type NtkdFabrication = z.infer<typeof NtkdFabricationSchema>;
export type NtkdLayout = z.infer<typeof NtkdLayoutSchema>;

/** The settings a preset gives (src/pipeline/presets.ts), without its name. */
export type NtkdSettings = Omit<NtkdConfig, "preset">;

export type NtkdOverrides = { [K in keyof Omit<NtkdConfig, "preset">]?: Partial<NtkdConfig[K]> };

/** Base settings (a preset's) with overrides, validated (errors name the field, e.g. "student.kernelSize"). */
export function resolveNtkdConfig(preset: string, base: NtkdSettings, overrides: NtkdOverrides = {}): NtkdConfig {
  const merged: Record<string, unknown> = { preset };
  for (const [section, values] of Object.entries(base)) {
    const given = Object.fromEntries(Object.entries((overrides as Record<string, object | undefined>)[section] ?? {}).filter(([, v]) => v !== undefined));
    merged[section] = { ...values, ...given };
  }
  const parsed = NtkdConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`invalid NTKD settings:\n  ${lines.join("\n  ")}`);
  }
  return parsed.data;
}
