import { getComplexOps } from "../engine/complex/select.js";
import { CellAsmWindow } from "../optics/cell-asm-window.js";
import { FresnelWindowOperator } from "../optics/fresnel-window.js";
import { complexZeros, Grid } from "../optics/grid.js";
import type { CellResponse } from "../optics/metasurface.js";
import { gaussLegendre, SensorWindow } from "../optics/pixel-quadrature.js";
import { apertureAmplitude, PsfModel } from "../optics/psf-model.js";
import { SensorIntegration } from "../optics/sensor-integration.js";
import type { OpticsBank } from "./optics-bank.js";

/**
 * Where on the sensor the array's image formation needs a metasurface's PSF: around its own axis and around
 * the centres of the sub-images within `rings` pitches of it, each time over the `bandPixels` x `bandPixels`
 * pixels (odd) a scene point's light can reach the image the network reads there. Along each axis that is
 * 2 rings + 1 bands of pixels, band j (-rings .. rings) centred j x pitch_m from the axis; the PSF sampled on
 * the grid of all row bands by all column bands ([L, L], L = (2 rings + 1) bandPixels) holds every
 * (neighbour row, neighbour column) block at once. Bands may overlap (pitch < bandPixels): each is sampled on
 * its own.
 */
export interface ArrayBands {
  rings: number;
  bandPixels: number;
  pitch_m: number;
  sensorPitch_m: number;
}

export function bandSamples(bands: ArrayBands): number {
  return (2 * bands.rings + 1) * bands.bandPixels;
}

/** Pixel centres along one axis (metres from the metasurface's axis), band by band. */
export function bandPixelCentres_m(bands: ArrayBands): Float64Array {
  const { rings, bandPixels: S, pitch_m, sensorPitch_m } = bands;
  if (!Number.isInteger(rings) || rings < 0) throw new Error(`rings must be an integer >= 0, got ${rings}`);
  if (!Number.isInteger(S) || S < 1 || S % 2 === 0) throw new Error(`bandPixels must be an odd positive integer, got ${S}`);
  const half = (S - 1) / 2;
  const out = new Float64Array(bandSamples(bands));
  for (let j = -rings; j <= rings; j++) {
    for (let i = 0; i < S; i++) out[(j + rings) * S + i] = j * pitch_m + (i - half) * sensorPitch_m;
  }
  return out;
}

/**
 * A sensor window whose pixels sit at given centres (the bands) instead of one contiguous run: the window
 * transform and the cell ASM evaluate fields at any positions, and the pixel quadrature only needs each
 * pixel's nodes in order.
 */
class BandWindow extends SensorWindow {
  constructor(
    private readonly centres_m: Float64Array,
    pitch_m: number,
    nodesPerPixel: number,
  ) {
    super({ pixels: centres_m.length, pitch_m, nodesPerPixel });
  }

  override nodeCoordinates_m(): Float64Array {
    const { positions } = gaussLegendre(this.nodesPerPixel);
    const n = this.nodesPerPixel;
    const out = new Float64Array(this.samples);
    for (let j = 0; j < this.pixels; j++) for (let s = 0; s < n; s++) out[j * n + s] = this.centres_m[j] + positions[s] * this.pitch_m;
    return out;
  }
}

/** How band PSFs are computed: stage 2's window transform, or the cell-model angular spectrum (exact scalar diffraction; far costlier). */
export type BandPropagation = "window" | "cell-asm";

/**
 * Incident-energy PSFs [indices.length, L, L] of the bank's metasurfaces `indices` (parameters `params`
 * [B, N, N] of the whole bank) on the band grid: the fraction of the light incident on the metasurface that
 * each sensor pixel receives. "window" is the model stage 2 fits with (Rayleigh-Sommerfeld kernel and
 * distortion tiles referred to the metasurface's own axis, the bank's Gauss-Legendre nodes per pixel), run
 * `chunk` metasurfaces of one wavelength at a time; "cell-asm" the band-limited angular spectrum of the same
 * piecewise-constant cells (optics/cell-asm-window.ts), one metasurface at a time.
 */
export function arrayBandPsfs(bank: OpticsBank, params: Float32Array, indices: readonly number[], bands: ArrayBands, options: { propagation?: BandPropagation; chunk?: number; onProgress?: (done: number, total: number) => void } = {}): Float32Array {
  const { cells: N, cellPitch_m, distance_m } = bank.optics;
  const plane = N * N;
  if (params.length !== bank.count * plane) throw new Error(`params: expected [${bank.count}, ${N}, ${N}], got ${params.length} values`);
  const L = bandSamples(bands);
  const window = new BandWindow(bandPixelCentres_m(bands), bands.sensorPitch_m, bank.subsamplesPerPixel);
  const grid = new Grid(N, cellPitch_m, "metasurface");
  const out = new Float32Array(indices.length * L * L);
  if ((options.propagation ?? "window") === "cell-asm") {
    cellAsmBandPsfs(bank, params, indices, bands, window, grid, out, options.onProgress);
    return out;
  }
  const chunk = Math.max(1, options.chunk ?? 4);
  const sensor = SensorIntegration.quadrature(window);
  const coordinates = window.nodeCoordinates_m();
  const aperture = apertureAmplitude(grid, "square");
  let done = 0;
  for (const wavelength_m of [...new Set(indices.map((b) => bank.wavelengths_m[b]))]) {
    const members = indices.flatMap((b, i) => (bank.wavelengths_m[b] === wavelength_m ? [i] : []));
    const size = Math.min(chunk, members.length);
    // One model per wavelength: its window matrices (many sub-cells per cell this far off axis) are built once.
    const operator = new FresnelWindowOperator({ grid, wavelengths_m: new Array(size).fill(wavelength_m), distance_m, outputCoordinates_m: coordinates });
    const model = new PsfModel(grid, operator, sensor, bank.metasurface, aperture, "incident-energy");
    const batch = new Float32Array(size * plane);
    for (let start = 0; start < members.length; start += size) {
      const part = members.slice(start, start + size);
      // A short last chunk repeats its first member (computed, not kept).
      for (let i = 0; i < size; i++) {
        const b = indices[part[Math.min(i, part.length - 1)]];
        batch.set(params.subarray(b * plane, (b + 1) * plane), i * plane);
      }
      const psfs = model.forward(batch);
      part.forEach((i, k) => out.set(psfs.subarray(k * L * L, (k + 1) * L * L), i * L * L));
      options.onProgress?.((done += part.length), indices.length);
    }
  }
  return out;
}

function cellAsmBandPsfs(
  bank: OpticsBank,
  params: Float32Array,
  indices: readonly number[],
  bands: ArrayBands,
  window: BandWindow,
  grid: Grid,
  out: Float32Array,
  onProgress?: (done: number, total: number) => void,
): void {
  const { cells: N, cellPitch_m: dx, distance_m: z } = bank.optics;
  const plane = N * N;
  const L = window.pixels;
  const ops = getComplexOps();
  // CellAsmWindow sizes its FFT grid and frequency band from a contiguous window of `pixels`; the bands reach
  // farther than their pixel count, so the grid spans 2.5 x (farthest sample + half aperture) and the band
  // margin is raised to keep 1.25 x the directions that reach the farthest sample.
  const farthest_m = bands.rings * bands.pitch_m + ((bands.bandPixels - 1) / 2 + 1) * bands.sensorPitch_m;
  const reach_m = (N / 2 + 1) * dx + farthest_m;
  const assumedReach_m = (N / 2 + 1) * dx + (L / 2 + 1) * bands.sensorPitch_m;
  const frequency = (r: number) => r / Math.hypot(z, r);
  const frequencyMargin = Math.max(0.25, 1.25 * (frequency(reach_m) / frequency(assumedReach_m)) - 1);
  const padding = Math.max(1.5, (2.5 * reach_m - L * bands.sensorPitch_m) / (N * dx));
  const field = complexZeros(plane);
  const models = new Map<number, { asm: CellAsmWindow; response: CellResponse }>();
  indices.forEach((b, i) => {
    const wavelength_m = bank.wavelengths_m[b];
    let model = models.get(wavelength_m);
    if (!model) {
      models.clear();
      model = { asm: new CellAsmWindow({ grid, wavelength_m, distance_m: z, window, padding, frequencyMargin }, ops), response: bank.metasurface.forWavelength(wavelength_m, ops) };
      models.set(wavelength_m, model);
    }
    model.response.transmission(params.subarray(b * plane, (b + 1) * plane), field);
    // Pixel energies per unit incident intensity over the aperture area: the same units as the window model's "incident-energy".
    const energies = model.asm.energies(field);
    const incident = plane * dx * dx;
    for (let p = 0; p < L * L; p++) out[i * L * L + p] = energies[p] / incident;
    onProgress?.(i + 1, indices.length);
  });
}
