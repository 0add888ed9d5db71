import { arrayBandPsfs } from "./array-psfs.js";
import type { DkoDesign } from "./design-files.js";

/**
 * Where each metasurface's sub-image lies on the sensor. The bank is tiled as `rows` x `cols` sub-apertures
 * at `pitch_m` (the paper's array: zero spacing, so the pitch is the aperture), row-major in bank order;
 * sub-image b is centred under its metasurface. `cols` is the multiple of the input channels nearest
 * above sqrt(B), so each row holds whole (R, G, B) triples.
 */
export interface SensorArray {
  rows: number;
  cols: number;
  pitch_m: number;
  /** Sensor pixels per sub-image side: the whole pixels within +-pitch/2 of its centre (odd). */
  subImagePixels: number;
  sensorPitch_m: number;
}

export function sensorArray(design: DkoDesign, pitch_m?: number): SensorArray {
  const { optics } = design.summary.config;
  return arrayLayout({ count: design.bank.count, inChannels: design.shape.inChannels, aperture_m: optics.cells * optics.cellPitch_m, sensorPitch_m: optics.sensorPitch_m }, pitch_m);
}

/** The array of `count` metasurfaces of side `aperture_m` (bank order, `inChannels` per kernel part) at `pitch_m` (default: the aperture). */
export function arrayLayout(options: { count: number; inChannels: number; aperture_m: number; sensorPitch_m: number }, pitch_m: number = options.aperture_m): SensorArray {
  const { count, inChannels: triple, aperture_m, sensorPitch_m } = options;
  if (!(pitch_m >= aperture_m * (1 - 1e-9))) throw new Error(`pitch_m = ${pitch_m} is smaller than the metasurface aperture ${aperture_m} m: sub-apertures would overlap`);
  const cols = Math.ceil(Math.sqrt(count) / triple) * triple;
  return { rows: Math.ceil(count / cols), cols, pitch_m, subImagePixels: 2 * Math.floor(pitch_m / (2 * sensorPitch_m)) + 1, sensorPitch_m };
}

/** Row and column of metasurface `index` in the array (row-major in bank order). */
export function arrayPosition(array: { cols: number }, index: number): { row: number; col: number } {
  return { row: Math.floor(index / array.cols), col: index % array.cols };
}

/**
 * Each chosen metasurface's PSF over its whole sub-image (SensorArray.subImagePixels per side), as the
 * fraction of the light incident on the metasurface per sensor pixel [count, P, P]. Computed with the
 * Fresnel window model stage 2 optimised: the band grid of array-psfs.ts with no neighbour rings (one
 * model per wavelength, so its window matrices are built once per colour). The active metasurfaces' PSFs
 * are taken from stage 2's sensor formation when it formed them at this pitch (DkoDesign.formedSubImages:
 * the same model, nodes and cells).
 */
export function subImagePsfs(design: DkoDesign, array: SensorArray, indices: number[]): Float32Array {
  const P = array.subImagePixels;
  const formed = design.formedSubImages;
  const reusable = formedAt(design, array);
  const fromStage2 = (b: number) => reusable && design.summary.kernels[b].active;
  const missing = indices.filter((b) => !fromStage2(b));
  const computed = missing.length > 0 ? arrayBandPsfs(design.bank, design.params, missing, { rings: 0, bandPixels: P, pitch_m: array.pitch_m, sensorPitch_m: array.sensorPitch_m }) : new Float32Array(0);
  const out = new Float32Array(indices.length * P * P);
  let next = 0;
  indices.forEach((b, i) => {
    const source = fromStage2(b) ? formed!.psfs.subarray(b * P * P, (b + 1) * P * P) : computed.subarray(next * P * P, ++next * P * P);
    out.set(source, i * P * P);
  });
  return out;
}

/** Whether stage 2's sensor formation left the sub-image PSFs of this array (same pitch and sub-image size). */
export function formedAt(design: DkoDesign, array: SensorArray): boolean {
  const formed = design.formedSubImages;
  return !!formed && formed.subImagePixels === array.subImagePixels && Math.abs(formed.pitch_m - array.pitch_m) <= 1e-9 * array.pitch_m;
}

/**
 * Cross-talk per metasurface: the share of the light it sends through that lands outside its own
 * sub-image, i.e. on its neighbours' (1 - light on its sub-image; the Fresnel transform keeps energy,
 * so what a sub-image window misses fell elsewhere on the sensor plane). Input: incident-energy PSFs
 * over the sub-images [count, P, P].
 */
export function crossTalkFractions(subImages: Float32Array, count: number, subImagePixels: number): number[] {
  const area = subImagePixels * subImagePixels;
  return Array.from({ length: count }, (_, b) => {
    let own = 0;
    for (let i = b * area; i < (b + 1) * area; i++) own += subImages[i];
    return Math.max(0, 1 - own);
  });
}

/**
 * The sensor as the array lays it out: every sub-image's PSF at its place, summed over `bin` x `bin`
 * pixel blocks (energy kept) so the picture stays small. Returns a row-major image and its size in bins.
 */
export function sensorMosaic(subImages: Float32Array, array: SensorArray, bin: number): { values: Float32Array; height: number; width: number; binPitch_m: number } {
  const P = array.subImagePixels;
  const count = subImages.length / (P * P);
  // Sub-image centres sit pitch_m apart; pixels between the sub-image windows (pitch not a whole number of pixels) stay dark.
  const pitchPixels = array.pitch_m / array.sensorPitch_m;
  const sensorHeight = Math.ceil(array.rows * pitchPixels);
  const sensorWidth = Math.ceil(array.cols * pitchPixels);
  const height = Math.ceil(sensorHeight / bin);
  const width = Math.ceil(sensorWidth / bin);
  const values = new Float32Array(height * width);
  for (let b = 0; b < count; b++) {
    const row0 = Math.round((Math.floor(b / array.cols) + 0.5) * pitchPixels) - Math.floor(P / 2);
    const col0 = Math.round(((b % array.cols) + 0.5) * pitchPixels) - Math.floor(P / 2);
    for (let y = 0; y < P; y++) {
      const sy = row0 + y;
      if (sy < 0 || sy >= sensorHeight) continue;
      for (let x = 0; x < P; x++) {
        const sx = col0 + x;
        if (sx < 0 || sx >= sensorWidth) continue;
        values[Math.floor(sy / bin) * width + Math.floor(sx / bin)] += subImages[(b * P + y) * P + x];
      }
    }
  }
  return { values, height, width, binPitch_m: bin * array.sensorPitch_m };
}
