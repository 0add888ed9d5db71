import type { DepthNet } from "../models/depth-net.js";
import { kernelsToPsfTargets, type KernelBankShape } from "../optics/kernels.js";

/** The first-layer kernels of a stage-1 network, split into one unit-sum PSF target per metasurface. */
export interface KernelTargets {
  shape: KernelBankShape;
  /** The trained kernels [k, k, 3, K] (tfjs HWIO). */
  weights: Float32Array;
  /** [2 * K * 3, k, k] unit-sum PSF targets (flipped; all zero for an empty part), see optics/kernels.ts. */
  targets: Float32Array;
  /** Electronic scale per metasurface (sum of that signed part of the kernel). */
  scales: Float32Array;
  /** Metasurfaces whose part of the kernel is non-zero (the others get no light budget and are skipped). */
  active: boolean[];
}

export function kernelTargetsFrom(weights: Float32Array, shape: KernelBankShape): KernelTargets {
  const { targets, scales } = kernelsToPsfTargets(weights, shape);
  return { shape, weights, targets, scales, active: Array.from(scales, (s) => s > 0) };
}

/** Reads net.firstLayerKernel and splits it. */
export function extractKernelTargets(net: DepthNet): KernelTargets {
  const [k, , inChannels, outChannels] = net.firstLayerKernel.shape;
  const weights = Float32Array.from(net.firstLayerKernel.dataSync());
  return kernelTargetsFrom(weights, { kernelSize: k, inChannels, outChannels });
}
