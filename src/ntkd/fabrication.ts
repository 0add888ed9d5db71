import { gaussianSampler } from "../optics/fabrication.js";
import type { NtkdFabrication } from "./config.js";

/**
 * The fabricated optical layer, after the NTKD paper's measurement model y = a (x * k) + misalignment +
 * noise, applied per metasurface b (each forms its own sub-image):
 *   - k: the PSF of the metasurface with fabrication phase error (src/optics/fabrication.ts perturbPhase,
 *     independent Gaussian error of rms phaseRms_rad per cell), computed by the same optics;
 *   - a_b = 1 + gainRms n_b: the sub-image's gain error (transmission, sensor response);
 *   - misalignment: the sub-image lands shifted by (dy_b, dx_b) ~ N(0, shiftRms_px^2) pixels from where the
 *     electronics reads it, i.e. the PSF window is translated (bilinear interpolation, zero beyond the
 *     window) before its kernel crop is taken;
 *   - noise: additive Gaussian read noise of std noiseStd on every sub-image pixel (applied per batch by
 *     OpticalStudent.features).
 */
export interface SensorErrors {
  /** Gain a_b per metasurface [B]. */
  gains: Float32Array;
  /** Shift (dy, dx) in pixels per metasurface [B, 2]. */
  shifts_px: Float32Array;
}

export function drawSensorErrors(count: number, fabrication: Pick<NtkdFabrication, "gainRms" | "shiftRms_px">, seed: number): SensorErrors {
  const normal = gaussianSampler(seed);
  const gains = Float32Array.from({ length: count }, () => 1 + fabrication.gainRms * normal());
  const shifts_px = Float32Array.from({ length: 2 * count }, () => fabrication.shiftRms_px * normal());
  return { gains, shifts_px };
}

/** out[y, x] = window[y - dy, x - dx] by bilinear interpolation, zero outside the M x M window. */
export function shiftWindow(window: Float32Array, M: number, dy: number, dx: number): Float32Array {
  if (window.length !== M * M) throw new Error(`shiftWindow: expected ${M}x${M} values, got ${window.length}`);
  const out = new Float32Array(M * M);
  const at = (y: number, x: number) => (y >= 0 && y < M && x >= 0 && x < M ? window[y * M + x] : 0);
  for (let y = 0; y < M; y++) {
    for (let x = 0; x < M; x++) {
      const sy = y - dy;
      const sx = x - dx;
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const fy = sy - y0;
      const fx = sx - x0;
      out[y * M + x] =
        (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
    }
  }
  return out;
}

/** PSF windows [B, M, M] as the sensor reads them: each shifted by its misalignment and scaled by its gain. */
export function sensorReadPsfs(psfs: Float32Array, M: number, errors: SensorErrors): Float32Array {
  const B = errors.gains.length;
  if (psfs.length !== B * M * M) throw new Error(`sensorReadPsfs: expected [${B}, ${M}, ${M}] PSFs, got ${psfs.length} values`);
  const out = new Float32Array(psfs.length);
  for (let b = 0; b < B; b++) {
    const shifted = shiftWindow(psfs.subarray(b * M * M, (b + 1) * M * M), M, errors.shifts_px[2 * b], errors.shifts_px[2 * b + 1]);
    for (let i = 0; i < M * M; i++) out[b * M * M + i] = errors.gains[b] * shifted[i];
  }
  return out;
}
