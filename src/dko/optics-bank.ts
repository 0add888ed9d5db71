import { largeFloat32Array } from "../engine/large-array.js";
import { gaussianSampler } from "../optics/fabrication.js";
import { DEFAULT_DISTORTION_TILES, DEFAULT_WINDOW_KERNEL } from "../optics/fresnel-window.js";
import { Grid } from "../optics/grid.js";
import { checkKernelResolvable } from "../optics/kernel-resolution.js";
import { bankWavelengths_m, type KernelBankShape } from "../optics/kernels.js";
import { PhaseMetasurface, type MetasurfaceModel } from "../optics/metasurface.js";
import { loadNanopillarLut, NanopillarMetasurface } from "../optics/nanopillar-lut.js";
import { PlaneStack } from "../optics/plane-stack.js";
import { convergedSubsamples, createPsfWindowModel, type PsfModel, type PsfNormalisation } from "../optics/psf-model.js";
import { windowModelValidity, type WindowModelValidity } from "../optics/window-validity.js";
import type { DkoOptics } from "./config.js";

/**
 * Cells per chunk of a bank computed at once (32 paper-sized metasurfaces of 1025 x 1025): a step's
 * buffers then take about 1.5 GB whatever the bank size.
 */
export const CHUNK_CELLS = 32 * 1025 * 1025;

/** The planes `indices` of a [B, plane] array, in that order. */
export function gather(x: Float32Array, indices: readonly number[], plane: number): Float32Array {
  const out = new Float32Array(indices.length * plane);
  indices.forEach((b, i) => out.set(x.subarray(b * plane, (b + 1) * plane), i * plane));
  return out;
}

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
    checkKernelResolvable({ ...optics, wavelengths_m: this.wavelengths_m, kernelSize: shape.kernelSize });
    this.subsamplesPerPixel = optics.subsamplesPerPixel ?? convergedSubsamples({ ...optics, wavelengths_m: this.wavelengths_m });
    this.validity = windowModelValidity({ ...optics, wavelengths_m: this.wavelengths_m, windowHalfWidth_m: (this.windowPixels * optics.sensorPitch_m) / 2, kernel: DEFAULT_WINDOW_KERNEL, distortionTiles: DEFAULT_DISTORTION_TILES });
  }

  /**
   * PSF windows of the bank's metasurfaces `indices` (default: all, in bank order): unit-sum over the
   * fit window (the DKO loss) or per incident energy.
   */
  model(normalisation: PsfNormalisation, metasurface: MetasurfaceModel = this.metasurface, indices?: readonly number[]): PsfModel {
    const { cells, cellPitch_m, distance_m, sensorPitch_m } = this.optics;
    return createPsfWindowModel({
      cells,
      cellPitch_m,
      distance_m,
      sensorPitch_m,
      windowPixels: this.windowPixels,
      wavelengths_m: indices ? indices.map((b) => this.wavelengths_m[b]) : this.wavelengths_m,
      metasurface,
      subsamplesPerPixel: this.subsamplesPerPixel,
      normalisation,
    });
  }

  /**
   * The bank split into chunks that are computed one after another: each holds metasurfaces of one
   * wavelength (so the window products share their matrix and run as one product over the chunk)
   * and at most `chunkCells` cells, which bounds the memory of a step at any bank size.
   */
  chunks(chunkCells = CHUNK_CELLS): number[][] {
    const perChunk = Math.max(1, Math.floor(chunkCells / this.optics.cells ** 2));
    const out: number[][] = [];
    for (const wavelength_m of [...new Set(this.wavelengths_m)]) {
      const members = this.wavelengths_m.flatMap((w, b) => (w === wavelength_m ? [b] : []));
      for (let i = 0; i < members.length; i += perChunk) out.push(members.slice(i, i + perChunk));
    }
    return out;
  }

  /** `data` as this bank's PSF windows (count x windowPixels^2 values), checked. */
  windows(data: Float32Array, name = "PSF windows"): PlaneStack {
    return new PlaneStack(data, { count: this.count, size: this.windowPixels }, name);
  }

  /** Kernel-sized target planes, one per metasurface, centred in fit windows of zeros. */
  targetWindows(kernelPlanes: Float32Array): PlaneStack {
    return new PlaneStack(kernelPlanes, { count: this.count, size: this.kernelSize }, "kernel targets").padCentred(this.windowPixels);
  }

  /** PSFs [count, M, M] of the whole bank's parameters [count, N, N], computed chunk by chunk. */
  forward(normalisation: PsfNormalisation, params: Float32Array, metasurface: MetasurfaceModel = this.metasurface): Float32Array {
    const plane = this.optics.cells ** 2;
    const window = this.windowPixels ** 2;
    if (params.length !== this.count * plane) throw new Error(`params: expected [${this.count}, ${this.optics.cells}, ${this.optics.cells}] (${this.count * plane} values), got ${params.length}`);
    const psfs = new Float32Array(this.count * window);
    for (const indices of this.chunks()) {
      const psf = this.model(normalisation, metasurface, indices).forward(gather(params, indices, plane));
      indices.forEach((b, i) => psfs.set(psf.subarray(i * window, (i + 1) * window), b * window));
    }
    return psfs;
  }

  /**
   * Start of the metasurfaces `indices` (default: all, in bank order): a lens focusing each wavelength
   * on its window's centre, -k (sqrt(z^2 + rho^2) - z), so every PSF starts as a diffraction-limited spot
   * under the window model's non-paraxial kernel (the paraxial lens -k rho^2 / (2 z) carries the quartic
   * error, 4.6 rad at the paper aperture's edge, which the fit would first have to undo), plus seeded
   * Gaussian phase noise of rms `noise_rad`. Nanopillars get the radius whose transmission is closest
   * to that phase.
   */
  initialParams(noise_rad: number, seed: number, indices: readonly number[] = this.wavelengths_m.map((_, b) => b)): Float32Array {
    const { cells: N, cellPitch_m, distance_m } = this.optics;
    const grid = new Grid(N, cellPitch_m, "metasurface");
    const params = largeFloat32Array(indices.length * N * N);
    const squared = Float64Array.from({ length: N }, (_, i) => grid.coordinate_m(i) ** 2);
    const phaseToParam = new Map<number, (phase: number) => number>();
    indices.forEach((b, i) => {
      const wavelength_m = this.wavelengths_m[b];
      let toParam = phaseToParam.get(wavelength_m);
      if (!toParam) phaseToParam.set(wavelength_m, (toParam = this.phaseToParameter(wavelength_m)));
      // A noise stream per metasurface: a chunk's start does not depend on the chunks before it.
      const normal = gaussianSampler((seed ^ Math.imul(b + 1, 0x9e3779b1)) >>> 0);
      for (let r = 0; r < N; r++) {
        for (let c = 0; c < N; c++) {
          const lens = ((-2 * Math.PI) / wavelength_m) * (Math.sqrt(distance_m ** 2 + squared[r] + squared[c]) - distance_m);
          params[(i * N + r) * N + c] = toParam(lens + noise_rad * normal());
        }
      }
    });
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
