import { gaussianSampler } from "../optics/fabrication.js";
import { DEFAULT_DISTORTION_TILES, DEFAULT_WINDOW_KERNEL } from "../optics/fresnel-window.js";
import { Grid } from "../optics/grid.js";
import { bankWavelengths_m, type KernelBankShape } from "../optics/kernels.js";
import { PhaseMetasurface, type MetasurfaceModel } from "../optics/metasurface.js";
import { loadNanopillarLut, NanopillarMetasurface } from "../optics/nanopillar-lut.js";
import { convergedSubsamples, createPsfWindowModel, type PsfModel, type PsfNormalisation } from "../optics/psf-model.js";
import { windowModelValidity, type WindowModelValidity } from "../optics/window-validity.js";
import type { DkoOptics } from "./config.js";

/**
 * The metasurface bank of one kernel bank: one metasurface per (sign, output channel, input channel),
 * each imaging its input channel's wavelength onto its own sensor window (optics/kernels.ts order).
 */
export class OpticsBank {
  readonly metasurface: PhaseMetasurface | NanopillarMetasurface;
  readonly wavelengths_m: number[];
  /** Fit window side (pixels) and kernel side. */
  readonly windowPixels: number;
  readonly kernelSize: number;
  readonly subsamplesPerPixel: number;
  readonly count: number;
  /** What the window model neglects at this geometry (for the run summary), with a warning past its limit. */
  readonly validity: WindowModelValidity;

  constructor(readonly optics: DkoOptics, readonly shape: KernelBankShape) {
    this.metasurface = optics.metasurface === "phase" ? new PhaseMetasurface() : new NanopillarMetasurface(loadNanopillarLut(optics.lutPath));
    this.wavelengths_m = bankWavelengths_m(shape, optics.channelWavelengths_m);
    this.kernelSize = shape.kernelSize;
    this.windowPixels = optics.fitWindowFactor * shape.kernelSize;
    this.count = this.wavelengths_m.length;
    this.subsamplesPerPixel = optics.subsamplesPerPixel ?? convergedSubsamples({ ...optics, wavelengths_m: this.wavelengths_m });
    this.validity = windowModelValidity({ ...optics, wavelengths_m: this.wavelengths_m, windowHalfWidth_m: (this.windowPixels * optics.sensorPitch_m) / 2, kernel: DEFAULT_WINDOW_KERNEL, distortionTiles: DEFAULT_DISTORTION_TILES });
  }

  /** PSF windows of the whole bank: unit-sum over the fit window (the DKO loss) or per incident energy. */
  model(normalisation: PsfNormalisation, metasurface: MetasurfaceModel = this.metasurface): PsfModel {
    const { cells, cellPitch_m, distance_m, sensorPitch_m } = this.optics;
    return createPsfWindowModel({
      cells,
      cellPitch_m,
      distance_m,
      sensorPitch_m,
      windowPixels: this.windowPixels,
      wavelengths_m: this.wavelengths_m,
      metasurface,
      subsamplesPerPixel: this.subsamplesPerPixel,
      normalisation,
    });
  }

  /**
   * Start: a paraxial lens focusing each wavelength on its window's centre (so every PSF starts as a
   * spot inside the window) plus seeded Gaussian phase noise of rms `noise_rad`. Nanopillars get the
   * radius whose transmission is closest to that phase.
   */
  initialParams(noise_rad: number, seed: number): Float32Array {
    const { cells: N, cellPitch_m, distance_m } = this.optics;
    const grid = new Grid(N, cellPitch_m, "metasurface");
    const normal = gaussianSampler(seed);
    const params = new Float32Array(this.count * N * N);
    const phaseToParam = new Map<number, (phase: number) => number>();
    for (let b = 0; b < this.count; b++) {
      const wavelength_m = this.wavelengths_m[b];
      let toParam = phaseToParam.get(wavelength_m);
      if (!toParam) phaseToParam.set(wavelength_m, (toParam = this.phaseToParameter(wavelength_m)));
      for (let r = 0; r < N; r++) {
        for (let c = 0; c < N; c++) {
          const r2 = grid.coordinate_m(r) ** 2 + grid.coordinate_m(c) ** 2;
          params[(b * N + r) * N + c] = toParam((-Math.PI * r2) / (wavelength_m * distance_m) + noise_rad * normal());
        }
      }
    }
    return params;
  }

  private phaseToParameter(wavelength_m: number): (phase: number) => number {
    const metasurface = this.metasurface;
    if (metasurface instanceof PhaseMetasurface) return (phase) => phase;
    // Nearest transmission to exp(i phase) over a fine table of radii.
    const samples = 512;
    const lut = metasurface.lut;
    const index = lut.wavelengthIndex(wavelength_m);
    const value = new Float64Array(4);
    const table = Array.from({ length: samples }, (_, i) => {
      const radius_m = lut.minRadius_m + ((lut.maxRadius_m - lut.minRadius_m) * (i + 0.5)) / samples;
      lut.evaluate(index, radius_m, value);
      return { re: value[0], im: value[1], parameter: metasurface.parameter(radius_m) };
    });
    return (phase) => {
      const re = Math.cos(phase);
      const im = Math.sin(phase);
      let best = table[0];
      let bestDistance = Infinity;
      for (const entry of table) {
        const distance = (entry.re - re) ** 2 + (entry.im - im) ** 2;
        if (distance < bestDistance) [best, bestDistance] = [entry, distance];
      }
      return best.parameter;
    };
  }
}
