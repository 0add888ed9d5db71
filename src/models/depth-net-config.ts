import { z } from "zod";

/**
 * Architecture of the depth network: a Monodepth2-style encoder-decoder with skip connections whose
 * first layer is a plain convolution (no bias) that an optical layer can replace.
 */
export const DepthNetConfigSchema = z
  .object({
    inputHeight: z.number().int().positive(),
    inputWidth: z.number().int().positive(),
    firstLayer: z.object({
      /** Output channels K of the first layer (one optical kernel each, before the +/- split). */
      kernels: z.number().int().positive(),
      /** Kernel height = width, odd so the kernel has a centre pixel. */
      size: z.number().int().positive().refine((n) => n % 2 === 1, "firstLayer.size must be odd (e.g. 7)"),
      /** Stride of the first layer: 1, 2 or 4. */
      stride: z.union([z.literal(1), z.literal(2), z.literal(4)]),
    }),
    /** Encoder stages; each halves the resolution (strided 3x3 conv) then runs `blocks` residual blocks. */
    encoder: z.array(z.object({ channels: z.number().int().positive(), blocks: z.number().int().min(0) })).min(1),
    /** Decoder channels per upsampling level, deepest first; one level per factor of 2 of total downsampling. */
    decoderChannels: z.array(z.number().int().positive()).min(1),
    /** Depth range of the output head (sigmoid on log depth), metres; taken from the data set's manifest. */
    depthRange_m: z.tuple([z.number().positive(), z.number().positive()]),
    /** Seed of the weight initialisation. */
    seed: z.number().int().min(0),
  })
  .superRefine((config, ctx) => {
    const levels = Math.log2(config.firstLayer.stride) + config.encoder.length;
    if (config.decoderChannels.length !== levels) {
      ctx.addIssue({
        code: "custom",
        path: ["decoderChannels"],
        message: `decoderChannels needs ${levels} entries (log2(firstLayer.stride) + encoder stages), got ${config.decoderChannels.length}`,
      });
    }
    const downsampling = 2 ** levels;
    for (const key of ["inputHeight", "inputWidth"] as const) {
      if (config[key] % downsampling !== 0) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `${key} ${config[key]} must be a multiple of the total downsampling ${downsampling}; resize the data or use fewer encoder stages`,
        });
      }
    }
    if (!(config.depthRange_m[0] < config.depthRange_m[1])) {
      ctx.addIssue({ code: "custom", path: ["depthRange_m"], message: "depthRange_m must be [min, max] with min < max" });
    }
  });
export type DepthNetConfig = z.infer<typeof DepthNetConfigSchema>;

/** Optimisation settings of a depth training run. */
export const TrainConfigSchema = z.object({
  batchSize: z.number().int().positive(),
  learningRate: z.number().positive(),
  /** Linear warm-up over this fraction of the budget, then cosine decay to finalLrFraction * learningRate. */
  warmupFraction: z.number().min(0).max(1),
  finalLrFraction: z.number().min(0).max(1),
  /** Decoupled (AdamW) weight decay; 0 = plain Adam. */
  weightDecay: z.number().min(0),
  /** lambda of the scale-invariant log loss (0 = plain log-L2, 1 = fully scale invariant). */
  silogLambda: z.number().min(0).max(1),
  /** Random horizontal flips of training batches. */
  flip: z.boolean(),
  /** Validate every this many steps (and at the end). */
  validateEvery: z.number().int().positive(),
  /** Validation uses at most this many val samples (the final test uses the whole test split). */
  valSamples: z.number().int().positive(),
  /** Checkpoint every this many steps, and at least every checkpointSeconds of training. */
  checkpointEvery: z.number().int().positive(),
  checkpointSeconds: z.number().positive(),
  /** Seed of the data order and flips. */
  seed: z.number().int().min(0),
});
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

/** How long a run trains: steps, seconds of training time, or both (whichever ends first). */
export const BudgetSchema = z
  .object({ steps: z.number().int().positive().optional(), seconds: z.number().positive().optional() })
  .refine((b) => b.steps !== undefined || b.seconds !== undefined, "budget needs steps or seconds");
export type Budget = z.infer<typeof BudgetSchema>;

/** The full network config: an architecture completed with the data set's image size and depth range. */
export function completeNetConfig(
  net: Pick<DepthNetConfig, "firstLayer" | "encoder" | "decoderChannels">,
  data: { height: number; width: number; depthRange_m: [number, number] },
  seed = 0,
): DepthNetConfig {
  return DepthNetConfigSchema.parse({ ...net, inputHeight: data.height, inputWidth: data.width, depthRange_m: data.depthRange_m, seed });
}
