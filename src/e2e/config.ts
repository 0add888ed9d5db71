import { z } from "zod";
import { IMAGE_FORMATIONS } from "./kernel-tensor.js";

/**
 * Settings of end-to-end (E2E) design: the metasurfaces of the DKO bank (same optics, src/dko/config.ts)
 * trained through their simulated PSFs at every step, with or without the electronic back end.
 *   variant "optics-only":   metasurfaces (and scales) behind the frozen stage-1 back end (the reference "E2E");
 *   variant "joint-scratch": metasurfaces and a freshly initialised back end (the reference "E2E-scratch");
 *   variant "joint-stage1":  metasurfaces and the back end, starting from the stage-1 weights.
 * Scales: each metasurface's sub-image is multiplied by an electronic gain, as in DKO (which sets it to
 * the sum of the target kernel part). They are electronics, not optics, so E2E trains them by default
 * (`trainScales`); they start at the stage-1 kernel's part sums (or the fresh network's, from scratch).
 */
export const E2E_VARIANTS = ["optics-only", "joint-scratch", "joint-stage1"] as const;
export type E2eVariant = (typeof E2E_VARIANTS)[number];

export const E2eSettingsSchema = z.object({
  variant: z.enum(E2E_VARIANTS, { message: `variant must be one of ${E2E_VARIANTS.join(", ")}` }),
  /** Loss target: ground-truth depth, or the stage-1 network's prediction (distillation). */
  target: z.enum(["ground-truth", "stage1-prediction"], { message: "target must be ground-truth or stage1-prediction" }),
  imageFormation: z.enum(IMAGE_FORMATIONS, { message: `imageFormation must be one of ${IMAGE_FORMATIONS.join(", ")}` }),
  /** Adam step size on the metasurface parameters (radians for phase) and scales. */
  opticsLearningRate: z.number().positive("opticsLearningRate must be > 0"),
  trainScales: z.boolean(),
  /** Start: the DKO start (a focusing lens per wavelength) plus Gaussian phase noise of this rms, seeded. */
  initNoise_rad: z.number().min(0, "initNoise_rad must be >= 0"),
  seed: z.number().int().min(0, "seed must be a whole number >= 0"),
});
export type E2eSettings = z.infer<typeof E2eSettingsSchema>;

/** A training budget in steps and/or seconds of optimisation time; both must be positive when given. */
export const PositiveBudgetSchema = z
  .object({
    steps: z.number().int("budget.steps must be a whole number").positive("budget.steps must be > 0").optional(),
    seconds: z.number().positive("budget.seconds must be > 0").optional(),
  })
  .refine((b) => b.steps !== undefined || b.seconds !== undefined, "budget needs steps or seconds");

/**
 * Settings of `optocnn compare`: DKO and E2E from the same data and seeds at several budgets.
 * A budget factor f gives DKO f times the preset's stage-1 steps and stage-2 steps; every E2E variant
 * then gets the optimisation seconds DKO spent at that factor and seed (variants that start from stage 1
 * get that minus the stage-1 seconds).
 */
export const CompareSettingsSchema = z.object({
  budgetFactors: z.array(z.number().positive("budget factors must be > 0")).min(1, "give at least one budget factor"),
  seeds: z.array(z.number().int().min(0)).min(1, "give at least one seed"),
  /** Stage-1 steps at factor 1 (the compare's own stage-1 runs, one per factor and seed). */
  stage1Steps: z.number().int().positive("stage1Steps must be > 0"),
  /** DKO synthesis steps at factor 1. */
  dkoSteps: z.number().int().positive("dkoSteps must be > 0"),
  /** E2E variants run against DKO. */
  variants: z.array(z.enum(E2E_VARIANTS)).min(1, "give at least one E2E variant"),
  imageFormation: z.enum(IMAGE_FORMATIONS),
  /** Points of each E2E accuracy-versus-time curve (validation split, about evenly spaced in steps). */
  curvePoints: z.number().int().min(1),
  /**
   * Also score DKO's and every E2E design with the sensor's image formation (halo and neighbours; minutes
   * per design at the default preset, outside both budgets). Omitted = kernel-only scoring only.
   */
  sensorArray: z.boolean().optional(),
});
export type CompareSettings = z.infer<typeof CompareSettingsSchema>;

/** Parses with a schema; the error names every bad field (`what.field: message`). */
export function parseSettings<T extends z.ZodTypeAny>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `${[what, ...issue.path.map(String)].join(".")}: ${issue.message}`);
  throw new Error(`invalid ${what} settings:\n  ${lines.join("\n  ")}`);
}
