import { z } from "zod";
import type { DepthSource } from "../data/types.js";

/**
 * How depth predictions are scored (the options of the KITTI literature), recorded next to every set of
 * metrics:
 * - ground truth counts where minDepth_m < gt < maxDepth_m (maxDepth_m = the depth cap, null = none);
 * - crop: only pixels inside the Garg or Eigen crop count (fractions of the frame, see cropBounds);
 * - medianScaling: each prediction is first multiplied by median(gt) / median(pred) over the counted
 *   pixels (for scale-ambiguous, e.g. self-supervised, predictions);
 * - predictions are then clamped to [minDepth_m, maxDepth_m] (as Monodepth2 does).
 */
export const DepthEvalProtocolSchema = z
  .object({
    minDepth_m: z.number().min(0, "minDepth_m must be >= 0 metres"),
    maxDepth_m: z.number().positive("maxDepth_m (the depth cap) must be > 0 metres, or null for none").nullable(),
    crop: z.enum(["none", "garg", "eigen"]),
    medianScaling: z.boolean(),
  })
  .refine((p) => p.maxDepth_m === null || p.maxDepth_m > p.minDepth_m, { path: ["maxDepth_m"], message: "the depth cap maxDepth_m must exceed minDepth_m" });
export type DepthEvalProtocol = z.infer<typeof DepthEvalProtocolSchema>;

/** Synthetic and NYU sets: every positive ground-truth pixel counts, whole frame, metric predictions. */
export const PLAIN_PROTOCOL: DepthEvalProtocol = { minDepth_m: 1e-3, maxDepth_m: null, crop: "none", medianScaling: false };

/**
 * The KITTI literature's protocol (Eigen et al. 2014; Garg et al. 2016; Monodepth2): ground truth inside
 * (1e-3 m, 80 m), predictions clamped to that range, the Garg crop, no median scaling (optocnn's networks
 * are trained on metric depth).
 */
export const KITTI_PROTOCOL: DepthEvalProtocol = { minDepth_m: 1e-3, maxDepth_m: 80, crop: "garg", medianScaling: false };

/** The protocol a data set is scored with unless a run says otherwise. */
export function defaultProtocol(source: DepthSource): DepthEvalProtocol {
  return source === "kitti" ? { ...KITTI_PROTOCOL } : { ...PLAIN_PROTOCOL };
}

/** One line for tables: "ground truth in (0.001, 80) m, garg crop, median scaling". */
export function describeProtocol(protocol: DepthEvalProtocol): string {
  const parts = [`ground truth in (${protocol.minDepth_m}, ${protocol.maxDepth_m ?? "inf"}) m`, protocol.crop === "none" ? "whole frame" : `${protocol.crop} crop`];
  if (protocol.medianScaling) parts.push("median scaling");
  return parts.join(", ");
}

/**
 * Crop fractions [top, bottom, left, right] of the frame. Garg et al. 2016 (used by Monodepth2 as its
 * "eigen" crop) and Eigen et al. 2014, both defined on KITTI's 375 x 1242 frames.
 */
const CROP_FRACTIONS = {
  garg: [0.40810811, 0.99189189, 0.03594771, 0.96405229],
  eigen: [0.3324324, 0.91351351, 0.0359477, 0.96405229],
} as const;

/** Rows [top, bottom) and columns [left, right) of a crop on a height x width frame (truncated like numpy's astype(int32)). */
export function cropBounds(crop: DepthEvalProtocol["crop"], height: number, width: number): { top: number; bottom: number; left: number; right: number } {
  if (crop === "none") return { top: 0, bottom: height, left: 0, right: width };
  const [top, bottom, left, right] = CROP_FRACTIONS[crop];
  return { top: Math.trunc(top * height), bottom: Math.trunc(bottom * height), left: Math.trunc(left * width), right: Math.trunc(right * width) };
}
