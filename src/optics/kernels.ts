import { PlaneStack } from "./plane-stack.js";

/**
 * Signed CNN kernels <-> pairs of non-negative PSFs, and the one place where the 180-degree flip lives.
 *
 * A CNN layer correlates: out[y, x] = sum W[i, j] in[y + i, x + j]. An optical system convolves:
 * out[y, x] = sum PSF[i, j] in[y - i, x - j]. So the PSF that realises W is W rotated by 180 degrees
 * (about the kernel centre, index floor(k / 2) for odd k; for even k the index map i -> k - 1 - i).
 * PSFs are non-negative, so W = s+ W+ - s- W- with W+ = relu(W) / s+, W- = relu(-W) / s-,
 * s+- = sum(relu(+-W)): each part becomes one unit-sum PSF target, the electronics subtracts the two
 * sub-images and restores the scales.
 *
 * Metasurface order in a bank: index = (sign * outChannels + out) * inChannels + in, sign 0 = positive
 * part, 1 = negative part; metasurface `index` images input channel `in` at that channel's wavelength.
 * Weights use the tfjs conv2d filter layout [k, k, inChannels, outChannels].
 */

export function rotate180(kernel: Float32Array, k: number): Float32Array {
  if (kernel.length !== k * k) throw new Error(`rotate180: expected ${k}x${k} values, got ${kernel.length}`);
  const out = new Float32Array(k * k);
  for (let i = 0; i < k * k; i++) out[k * k - 1 - i] = kernel[i];
  return out;
}

export function metasurfaceIndex(sign: 0 | 1, out: number, input: number, outChannels: number, inChannels: number): number {
  return (sign * outChannels + out) * inChannels + input;
}

/** Default wavelength per input colour channel: R, G, B (R the longest). */
export const RGB_WAVELENGTHS_M: readonly number[] = [640e-9, 550e-9, 460e-9];

export interface KernelBankShape {
  kernelSize: number;
  inChannels: number;
  outChannels: number;
}

function checkBank(weights: Float32Array, shape: KernelBankShape): void {
  const { kernelSize: k, inChannels, outChannels } = shape;
  const count = k * k * inChannels * outChannels;
  if (weights.length !== count) throw new Error(`kernels: shape [${k}, ${k}, ${inChannels}, ${outChannels}] needs ${count} values, got ${weights.length}`);
  const bad = weights.findIndex((w) => !Number.isFinite(w));
  if (bad >= 0) throw new Error(`kernels: weight ${bad} is ${weights[bad]}; weights must be finite`);
}

/** One wavelength per metasurface of a bank, from the wavelength of each input channel. */
export function bankWavelengths_m(shape: KernelBankShape, channelWavelengths_m: readonly number[] = RGB_WAVELENGTHS_M): number[] {
  if (channelWavelengths_m.length !== shape.inChannels) {
    throw new Error(`channelWavelengths_m: give one wavelength per input channel (${shape.inChannels}), got ${channelWavelengths_m.length}`);
  }
  const out: number[] = [];
  for (let sign = 0; sign < 2; sign++) for (let o = 0; o < shape.outChannels; o++) for (let c = 0; c < shape.inChannels; c++) out.push(channelWavelengths_m[c]);
  return out;
}

export interface PsfTargets {
  /** [2 * outChannels * inChannels, k, k], each unit-sum (all zero when that part of the kernel is zero). */
  targets: Float32Array;
  /** Electronic scale of each metasurface's sub-image, s+- = sum(relu(+-W)). */
  scales: Float32Array;
}

/** CNN kernels [k, k, in, out] -> unit-sum PSF targets (flipped) and their scales. */
export function kernelsToPsfTargets(weights: Float32Array, shape: KernelBankShape): PsfTargets {
  checkBank(weights, shape);
  const { kernelSize: k, inChannels, outChannels } = shape;
  const count = 2 * outChannels * inChannels;
  const targets = new Float32Array(count * k * k);
  const scales = new Float32Array(count);
  for (let o = 0; o < outChannels; o++) {
    for (let c = 0; c < inChannels; c++) {
      for (const sign of [0, 1] as const) {
        const part = new Float32Array(k * k);
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < k; j++) {
            const w = weights[((i * k + j) * inChannels + c) * outChannels + o];
            part[i * k + j] = Math.max(0, sign === 0 ? w : -w);
          }
        }
        const index = metasurfaceIndex(sign, o, c, outChannels, inChannels);
        const sum = part.reduce((a, b) => a + b, 0);
        scales[index] = sum;
        if (sum > 0) targets.set(rotate180(part.map((v) => v / sum), k), index * k * k);
      }
    }
  }
  return { targets, scales };
}

/**
 * Realised PSFs [2 * out * in, M, M] (M >= k, centred windows) and scales -> the CNN kernels
 * [k, k, in, out] the optics implements: s+ rot180(crop(PSF+)) - s- rot180(crop(PSF-)). Light outside
 * the central k x k crop is lost to the kernel (it falls on neighbouring sub-images).
 */
export function psfsToKernels(psfs: PlaneStack, scales: Float32Array, shape: KernelBankShape): Float32Array {
  const { kernelSize: k, inChannels, outChannels } = shape;
  const count = 2 * outChannels * inChannels;
  if (psfs.count !== count) throw new Error(`psfs: expected ${count} PSF windows (2 signs x ${outChannels} x ${inChannels}), got ${psfs.count}`);
  if (scales.length !== count) throw new Error(`scales: expected ${count} values, got ${scales.length}`);
  const crops = psfs.cropCentred(k).data;
  const weights = new Float32Array(k * k * inChannels * outChannels);
  for (let o = 0; o < outChannels; o++) {
    for (let c = 0; c < inChannels; c++) {
      for (const sign of [0, 1] as const) {
        const index = metasurfaceIndex(sign, o, c, outChannels, inChannels);
        const kernel = rotate180(crops.subarray(index * k * k, (index + 1) * k * k), k);
        const factor = (sign === 0 ? 1 : -1) * scales[index];
        for (let i = 0; i < k * k; i++) weights[(i * inChannels + c) * outChannels + o] += factor * kernel[i];
      }
    }
  }
  return weights;
}
