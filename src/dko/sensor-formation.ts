import type { KernelBankShape } from "../optics/kernels.js";
import { bandSamples, type ArrayBands } from "./array-psfs.js";
import { metasurfaceRole } from "./design-files.js";

/**
 * The first layer as the sensor of the metasurface array forms it, as one effective correlation kernel per
 * (output channel, input colour) on the sensor-pixel grid.
 *
 * Model (the kernel-only model, optics/kernels.ts psfsToKernels, is its special case):
 * - Every metasurface b sits at its place in the array (sensor-array.ts: rows of whole colour triples, bank
 *   order, centres `pitch_m` apart) behind a colour filter for its input channel c(b), and sees the whole
 *   scene: a distant scene puts the same image, pixel for pixel, under each metasurface's axis. The scene is
 *   the network's input image and is dark outside it (the zero padding of the electronic convolution).
 * - Metasurface b's light on the sensor is that channel of the scene convolved with its PSF G_b (fraction of
 *   the incident light per sensor pixel), the same PSF for every scene point (shift invariance: the window
 *   model's PSF of the on-axis point).
 * - Sub-image b is read on a pixel grid centred on b's axis (exact when the pitch is a whole number of pixels;
 *   otherwise the sub-pixel offset of each axis to a shared pixel grid is ignored, as in the kernel-only
 *   model). It receives the light of every metasurface b' of the array, b' shifted by the distance between the
 *   two axes: sub-image b = sum_b' scene_c(b') * G_b'(. + x_b - x_b'). Its own term is its PSF over the whole
 *   image (kernel and halo), the others are the neighbours' PSFs at their offset (their halos, tails and
 *   grating orders). Neighbours up to `rings` pitches away in rows and columns are formed.
 * - The electronics multiplies sub-image b by the gain g_b = s_b / E_b that makes its kernel part what the
 *   kernel-only model realises: s_b the part's scale (the sum of that signed part of the trained kernel) and
 *   E_b the metasurface's light in its fit window (the kernel-only model's PSFs are unit-sum over that
 *   window). Then it subtracts negative from positive parts and sums over input channels:
 *     W_eff[o, c'](t) = sum_{b of output o} sign_b g_b sum_{b' of channel c'} G_b'(t + x_b - x_b'),
 *   so a neighbour of another colour adds to the kernel of its own colour, not of the sub-image's.
 * - Inactive parts (an all-zero part of a kernel) have no metasurface: their apertures are blocked (they send
 *   no light) and their sub-images are not read (gain 0).
 * - The sensor pixels respond equally to the three wavelengths; stride and 'same' padding are the network's
 *   (the effective kernel is odd-sized, centred like the k x k kernel, so the k x k crop of a PSF confined
 *   to the kernel gives the kernel-only network exactly).
 * The electronic convolution correlates while optics convolves, so W_eff is rotated by 180 degrees as the
 * kernel-only kernels are.
 *
 * Only t within the image (|t| <= image side - 1) reaches an output pixel, so the kernels are
 * bandPixels = 2 (side - 1) + 1 wide: at that size the convolution over the zero-padded image is the whole
 * sensor image.
 */
export interface SensorFormationInput {
  shape: KernelBankShape;
  /** Array columns (metasurface b at row floor(b / cols), column b % cols). */
  cols: number;
  bands: ArrayBands;
  /** Incident-energy PSFs [B, L, L] of every metasurface on the band grid (array-psfs.ts); rows of non-emitting ones are ignored. */
  bandPsfs: Float32Array;
  /** Electronic gain per metasurface [B] (s_b / E_b; 0 for a sub-image that is not read). */
  gains: Float32Array;
  /** Metasurfaces that send light (inactive parts are blocked). */
  emitting: readonly boolean[];
}

/**
 * The light one pixel of a sub-image gathers from a uniform scene of unit intensity in every channel that fills
 * the effective kernel's reach (the sum of its unsigned kernel), split by where it comes from (incident-energy units).
 */
export interface ReceivedLight {
  /** Its own PSF inside the k x k kernel window (what the kernel-only model keeps). */
  kernel: number;
  /** Its own PSF outside the kernel, within the image's reach (the halo). */
  halo: number;
  /** Every neighbour's light within the image's reach. */
  neighbours: number;
}

export interface SensorFormation {
  /** Correlation kernels [S, S, inChannels, outChannels] (tfjs HWIO), S = bands.bandPixels. */
  kernels: Float32Array;
  /** Per metasurface (bank order): the light its sub-image gathers (all zero for sub-images not read). */
  received: ReceivedLight[];
}

export function sensorFormation(input: SensorFormationInput): SensorFormation {
  const { shape, cols, bands, bandPsfs, gains, emitting } = input;
  const { kernelSize: k, inChannels, outChannels } = shape;
  const B = 2 * outChannels * inChannels;
  const S = bands.bandPixels;
  const R = bands.rings;
  const L = bandSamples(bands);
  if (bandPsfs.length !== B * L * L) throw new Error(`bandPsfs: expected [${B}, ${L}, ${L}], got ${bandPsfs.length} values`);
  if (gains.length !== B || emitting.length !== B) throw new Error(`gains and emitting: expected ${B} values each`);
  if (k % 2 === 0 || k > S) throw new Error(`the sensor formation needs an odd kernel no wider than the ${S}-pixel band, got ${k}`);
  const rows = Math.ceil(B / cols);
  const half = (S - 1) / 2;
  const kernelHalf = (k - 1) / 2;
  // Convolution kernels per (output, input channel) [out, in, S, S], flipped into HWIO at the end.
  const conv = new Float64Array(outChannels * inChannels * S * S);
  const received: ReceivedLight[] = [];
  for (let b = 0; b < B; b++) {
    const light = { kernel: 0, halo: 0, neighbours: 0 };
    received.push(light);
    if (gains[b] === 0) continue;
    const out = metasurfaceRole(b, shape).out;
    const sign = b < B / 2 ? 1 : -1;
    const row = Math.floor(b / cols);
    const col = b % cols;
    for (let dr = -R; dr <= R; dr++) {
      for (let dc = -R; dc <= R; dc++) {
        // The emitter sits (dr, dc) pitches before this sub-image: its PSF is read dr, dc pitches from its axis.
        const r = row - dr;
        const c = col - dc;
        if (r < 0 || r >= rows || c < 0 || c >= cols) continue;
        const from = r * cols + c;
        if (from >= B || !emitting[from]) continue;
        const channel = from % inChannels;
        const target = (out * inChannels + channel) * S * S;
        const weight = sign * gains[b];
        const own = from === b;
        let inKernel = 0;
        let total = 0;
        for (let ty = 0; ty < S; ty++) {
          const source = from * L * L + ((dr + R) * S + ty) * L + (dc + R) * S;
          for (let tx = 0; tx < S; tx++) {
            const value = bandPsfs[source + tx];
            conv[target + ty * S + tx] += weight * value;
            total += value;
            if (own && Math.abs(ty - half) <= kernelHalf && Math.abs(tx - half) <= kernelHalf) inKernel += value;
          }
        }
        if (own) {
          light.kernel += inKernel;
          light.halo += total - inKernel;
        } else light.neighbours += total;
      }
    }
  }
  const kernels = new Float32Array(S * S * inChannels * outChannels);
  for (let o = 0; o < outChannels; o++) {
    for (let c = 0; c < inChannels; c++) {
      const source = (o * inChannels + c) * S * S;
      for (let i = 0; i < S * S; i++) kernels[((S * S - 1 - i) * inChannels + c) * outChannels + o] = conv[source + i];
    }
  }
  return { kernels, received };
}

/** k x k kernels [k, k, in, out] zero-padded to S x S about their centre (to compare with the effective kernels). */
export function padKernels(kernels: Float32Array, shape: KernelBankShape, size: number): Float32Array {
  const { kernelSize: k, inChannels, outChannels } = shape;
  const offset = (size - k) / 2;
  if (!Number.isInteger(offset) || offset < 0) throw new Error(`padKernels: cannot centre ${k}x${k} kernels in ${size}x${size}`);
  const per = inChannels * outChannels;
  const out = new Float32Array(size * size * per);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out.set(kernels.subarray((i * k + j) * per, (i * k + j + 1) * per), ((i + offset) * size + j + offset) * per);
  return out;
}
