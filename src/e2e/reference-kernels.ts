import { gaussianSampler } from "../optics/fabrication.js";
import type { KernelBankShape } from "../optics/kernels.js";

/**
 * Kernel banks that tell a reader what an accuracy difference means: the trained kernels with noise of
 * a chosen NMSE, random kernels of the same norm, and the trained kernels on the wrong output channels.
 * Banks are [k, k, in, out] (tfjs HWIO), seeded.
 */

/** Trained kernels plus white Gaussian noise scaled so that NMSE(noisy, trained) is exactly `targetNmse`. */
export function kernelsWithNoise(weights: Float32Array, targetNmse: number, seed: number): Float32Array {
  if (!(targetNmse >= 0)) throw new Error(`targetNmse must be >= 0, got ${targetNmse}`);
  const noise = randomLike(weights.length, seed);
  const scale = Math.sqrt((targetNmse * sumOfSquares(weights)) / sumOfSquares(noise));
  return weights.map((w, i) => w + scale * noise[i]);
}

/** Gaussian random kernels with the same total sum of squares as `weights`. */
export function randomKernelsOfSameNorm(weights: Float32Array, seed: number): Float32Array {
  const noise = randomLike(weights.length, seed);
  const scale = Math.sqrt(sumOfSquares(weights) / sumOfSquares(noise));
  return noise.map((v) => v * scale);
}

/** Output channel o gets the kernel of channel (o + 1) mod K: every map reaches the wrong back-end input. */
export function kernelsOnWrongChannels(weights: Float32Array, shape: KernelBankShape): Float32Array {
  const { kernelSize: k, inChannels, outChannels: K } = shape;
  if (weights.length !== k * k * inChannels * K) throw new Error(`kernels: expected [${k}, ${k}, ${inChannels}, ${K}], got ${weights.length} values`);
  if (K < 2) throw new Error("kernelsOnWrongChannels: needs at least two output channels");
  const out = new Float32Array(weights.length);
  for (let tap = 0; tap < k * k * inChannels; tap++) for (let o = 0; o < K; o++) out[tap * K + o] = weights[tap * K + ((o + 1) % K)];
  return out;
}

function randomLike(length: number, seed: number): Float32Array {
  const normal = gaussianSampler(seed);
  return Float32Array.from({ length }, () => normal());
}

function sumOfSquares(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return sum;
}
