import type { ComplexOps, PhaseUpdate, PlanarComplex } from "../engine/complex/complex-ops.js";
import { getComplexOps } from "../engine/complex/select.js";
import { FresnelWindowOperator, type WindowKernel } from "./fresnel-window.js";
import { complexZeros, Grid, planeOf } from "./grid.js";
import type { MetasurfaceModel, CellResponse } from "./metasurface.js";
import type { OpticalOperator, PhaseInputTransform } from "./optical-operator.js";
import { FullFieldPropagator, fresnelMethodFor, type FullFieldMethod } from "./propagation.js";
import { gaussLegendre, SensorWindow } from "./pixel-quadrature.js";
import { SensorIntegration } from "./sensor-integration.js";
import { requireDistance_m, requirePitch_m, requirePositiveInteger, requireWavelength_m } from "./units.js";

/**
 * PSFs of a batch of B metasurfaces, differentiable in their parameters:
 *   u_b = aperture * t(params_b, lambda_b)      (metasurface model)
 *   U_b = operator(u_b)                          (propagation to the sensor plane)
 *   E_b = sensor integration of |U_b|^2          (energy per sensor pixel)
 *   PSF_b = E_b / norm_b                         (normalisation)
 * Parameters and PSFs are Float32Array [B, N, N] and [B, M, M]. The sensor pixel j of a window is
 * centred at (j - floor(M / 2)) * sensorPitch_m from the metasurface's optical axis.
 */
export type PsfNormalisation = "unit-sum" | "incident-energy" | "none";

/** Incident amplitude over the cells: the whole square grid, the inscribed disc, or a given map [N, N]. */
export type ApertureSpec = "square" | "circle" | Float32Array;

export function apertureAmplitude(grid: Grid, aperture: ApertureSpec): Float32Array {
  const N = grid.size;
  if (aperture instanceof Float32Array) {
    if (aperture.length !== N * N) throw new Error(`aperture: expected ${N}x${N} = ${N * N} values, got ${aperture.length}`);
    const bad = aperture.findIndex((a) => !Number.isFinite(a) || a < 0);
    if (bad >= 0) throw new Error(`aperture: amplitude at index ${bad} is ${aperture[bad]}; amplitudes must be finite and >= 0`);
    return aperture;
  }
  const out = new Float32Array(N * N);
  if (aperture === "square") return out.fill(1);
  const radius = grid.extent_m / 2;
  for (let r = 0; r < N; r++) {
    for (let c = 0; c < N; c++) {
      if (Math.hypot(grid.coordinate_m(r), grid.coordinate_m(c)) <= radius) out[r * N + c] = 1;
    }
  }
  return out;
}

export class PsfModel {
  readonly batch: number;
  /** Metasurface cells per side (N). */
  readonly cells: number;
  /** Sensor pixels per side of each PSF (M). */
  readonly windowPixels: number;
  /** Energy of the unit-intensity illumination over the aperture, sum(aperture^2) dx^2 (m^2). */
  readonly incidentEnergy: number;
  private readonly responses: CellResponse[];
  /** Aperture amplitude 1 everywhere: the field is the transmission itself. */
  private readonly unitAperture: boolean;
  private workspace: { gradEnergy: Float32Array; gradObserved: PlanarComplex } | null = null;
  private gradTransmission: PlanarComplex | null = null;
  /** The operator fused with the phase metasurface's transmission and the aperture, when both allow it. */
  private readonly phaseInput: PhaseInputTransform | null;
  /** Whether forwardWithVjp offers `adamStep` (and needs no transmission buffer). */
  readonly fusedPhaseStep: boolean;

  constructor(
    readonly grid: Grid,
    readonly operator: OpticalOperator,
    readonly sensor: SensorIntegration,
    readonly metasurface: MetasurfaceModel,
    readonly aperture: Float32Array,
    readonly normalisation: PsfNormalisation,
    ops: ComplexOps = getComplexOps(),
  ) {
    this.batch = operator.wavelengths_m.length;
    this.cells = grid.size;
    this.windowPixels = sensor.pixels;
    if (sensor.inputSize !== operator.outputSize) throw new Error("PsfModel: sensor integration and operator sizes differ");
    let sumSq = 0;
    for (const a of aperture) sumSq += a * a;
    this.incidentEnergy = sumSq * grid.pitch_m * grid.pitch_m;
    this.unitAperture = aperture.every((a) => a === 1);
    this.phaseInput = metasurface.phaseOnly && operator.phaseInput ? operator.phaseInput(this.unitAperture ? null : aperture) : null;
    this.fusedPhaseStep = this.phaseInput !== null;
    const cache = new Map<number, CellResponse>();
    this.responses = operator.wavelengths_m.map((w) => {
      let response = cache.get(w);
      if (!response) cache.set(w, (response = metasurface.forWavelength(w, ops)));
      return response;
    });
  }

  get wavelengths_m(): readonly number[] {
    return this.operator.wavelengths_m;
  }

  private checkParams(params: Float32Array): void {
    const N = this.cells;
    if (!(params instanceof Float32Array) || params.length !== this.batch * N * N) {
      throw new Error(`params: expected Float32Array [${this.batch}, ${N}, ${N}] (${this.batch * N * N} values), got ${params?.length} values`);
    }
  }

  /**
   * Called when the pixel energies are not finite; names the first parameter that is not. A NaN or
   * infinite phase (or a NaN nanopillar parameter) spreads to every sample of its window, so checking
   * the small PSF on every pass stands in for a check of every parameter.
   */
  private explainNonFinite(params: Float32Array): never {
    const N = this.cells;
    const i = params.findIndex((p) => !Number.isFinite(p));
    if (i >= 0) {
      const b = Math.floor(i / (N * N));
      const cell = i % (N * N);
      throw new Error(`params: metasurface ${b}, cell (${Math.floor(cell / N)}, ${cell % N}) is ${params[i]}; parameters (${this.metasurface.parameterMeaning}) must be finite`);
    }
    throw new Error("PSF: pixel energies are not finite although every parameter is; check the metasurface model and the geometry");
  }

  /** PSFs [B, M, M]. */
  forward(params: Float32Array): Float32Array {
    return this.forwardWithVjp(params).psf;
  }

  /**
   * PSFs plus a closure that maps dL/dPSF [B, M, M] to dL/dparams [B, N, N] (keeps the forward
   * intermediates; params must not change until it has run: the fused phase path makes the field again
   * from them). With that path, `adamStep` spends the vjp on one Adam(W) step on params in place instead.
   * A loop that calls the closure before its next forward may pass `buffers` to reuse: `transmission`
   * [B, N, N] (kept by the closure until then; unused by the fused path) and `gradParams` (the vjp's
   * result); fresh arrays of this size would be faulted in page by page on every step.
   */
  forwardWithVjp(
    params: Float32Array,
    buffers: { transmission?: PlanarComplex; gradParams?: Float32Array } = {},
  ): {
    psf: Float32Array;
    vjp: (gradPsf: Float32Array) => Float32Array;
    adamStep?: (gradPsf: Float32Array, update: Extract<PhaseUpdate, { kind: "adam" }>) => void;
  } {
    this.checkParams(params);
    const B = this.batch;
    const N = this.cells;
    const M = this.windowPixels;
    const cells = N * N;
    const phaseInput = this.phaseInput;
    // Kept for the vjp of the unfused path: t (models whose gradient needs it then skip recomputing it).
    const transmission = phaseInput ? null : (buffers.transmission ?? complexZeros(B * cells));
    if (transmission && (transmission.re.length !== B * cells || transmission.im.length !== B * cells)) throw new Error(`buffers.transmission: must hold ${B} planes of ${N}x${N}`);
    const observed = phaseInput ? phaseInput.forward(params) : this.operator.forward(this.field(params, transmission!));
    // Pixel energies, normalised in place into the PSFs.
    const psf = this.sensor.fieldEnergy(observed, B);
    if (!Number.isFinite(sumOf(psf))) this.explainNonFinite(params);
    const norms = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      const window = psf.subarray(b * M * M, (b + 1) * M * M);
      if (this.normalisation === "none") norms[b] = 1;
      else if (this.normalisation === "incident-energy") norms[b] = this.incidentEnergy;
      else {
        const sum = sumOf(window);
        if (!(sum > 0)) {
          throw new Error(`PSF window of metasurface ${b} receives no light (sum ${sum}); check the aperture, distance and window size`);
        }
        norms[b] = sum;
      }
      scaleInPlace(window, 1 / norms[b]);
    }

    /** G = 2 dL/d(conj U) on the observation plane from dL/dPSF. */
    const observedGradient = (gradPsf: Float32Array): PlanarComplex => {
      if (gradPsf.length !== B * M * M) throw new Error(`dLoss/dPSF: expected [${B}, ${M}, ${M}] (${B * M * M} values), got ${gradPsf.length}`);
      const { gradEnergy, gradObserved } = this.gradientWorkspace();
      for (let b = 0; b < B; b++) {
        const range = [b * M * M, (b + 1) * M * M] as const;
        const window = psf.subarray(...range);
        const gradWindow = gradPsf.subarray(...range);
        // Unit sum: PSF = E / sum(E), so dL/dE = (g - <g, PSF>) / sum(E).
        const projection = this.normalisation === "unit-sum" ? dotOf(gradWindow, window) : 0;
        shiftAndScale(gradWindow, -projection, 1 / norms[b], gradEnergy.subarray(...range));
      }
      this.sensor.fieldEnergyVjp(gradEnergy, observed, B, gradObserved);
      return gradObserved;
    };
    const vjp = (gradPsf: Float32Array): Float32Array => {
      if (!this.metasurface.differentiable) {
        // Let the model explain why (e.g. hard quantisation).
        this.responses[0].vjp(params.subarray(0, cells), complexZeros(cells), new Float32Array(cells));
      }
      const gradObserved = observedGradient(gradPsf);
      const gradParams = buffers.gradParams ?? new Float32Array(B * cells);
      if (gradParams.length !== B * cells) throw new Error(`buffers.gradParams: must hold ${B} planes of ${N}x${N}`);
      if (phaseInput) {
        phaseInput.adjoint(gradObserved, params, { kind: "gradient", out: gradParams, trained: new Array(B).fill(true) });
        return gradParams;
      }
      const gradTransmission = this.transmissionGradient();
      this.operator.adjoint(gradObserved, gradTransmission);
      if (!this.unitAperture) this.weightByAperture(gradTransmission, gradTransmission);
      for (let b = 0; b < B; b++) {
        const range = [b * cells, (b + 1) * cells] as const;
        this.responses[b].vjp(params.subarray(...range), planeOf(gradTransmission, b, cells), gradParams.subarray(...range), planeOf(transmission!, b, cells));
      }
      return gradParams;
    };
    if (!phaseInput) return { psf, vjp };
    return { psf, vjp, adamStep: (gradPsf, update) => phaseInput.adjoint(observedGradient(gradPsf), params, update) };
  }

  /** aperture . t(params) into a new array, t written into `transmission` (kept for the vjp). */
  private field(params: Float32Array, transmission: PlanarComplex): PlanarComplex {
    const cells = this.cells * this.cells;
    for (let b = 0; b < this.batch; b++) {
      this.responses[b].transmission(params.subarray(b * cells, (b + 1) * cells), planeOf(transmission, b, cells));
    }
    return this.unitAperture ? transmission : this.weightByAperture(transmission, complexZeros(this.batch * cells));
  }

  /**
   * Buffers for the vjp's intermediates, made on first use and reused by every vjp (each is dead once
   * the vjp returns): fresh batch-sized arrays would be faulted in page by page on every step.
   */
  private gradientWorkspace(): { gradEnergy: Float32Array; gradObserved: PlanarComplex } {
    if (!this.workspace) {
      const R = this.operator.outputSize;
      this.workspace = { gradEnergy: new Float32Array(this.batch * this.windowPixels ** 2), gradObserved: complexZeros(this.batch * R * R) };
    }
    return this.workspace;
  }

  /** The unfused vjp's dL/dt [B, N, N] buffer, made on first use (the fused phase path never needs it). */
  private transmissionGradient(): PlanarComplex {
    this.gradTransmission ??= complexZeros(this.batch * this.cells * this.cells);
    return this.gradTransmission;
  }

  /** out = aperture * x for every metasurface of the batch (out may be x). */
  private weightByAperture(x: PlanarComplex, out: PlanarComplex): PlanarComplex {
    const cells = this.cells * this.cells;
    const aperture = this.aperture;
    for (let b = 0; b < this.batch; b++) {
      for (let i = 0, j = b * cells; i < cells; i++, j++) {
        out.re[j] = aperture[i] * x.re[j];
        out.im[j] = aperture[i] * x.im[j];
      }
    }
    return out;
  }
}

// Elementwise steps of the PSF model as plain functions of their arrays (a closure's captured arrays
// are reloaded on every iteration of a loop inside it).

function sumOf(x: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i];
  return sum;
}

function dotOf(x: Float32Array, y: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * y[i];
  return sum;
}

function scaleInPlace(x: Float32Array, factor: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= factor;
}

/** out = (x + shift) * factor. */
function shiftAndScale(x: Float32Array, shift: number, factor: number, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) out[i] = (x[i] + shift) * factor;
}

/** PSFs [B, M, M] of the metasurfaces `params` [B, N, N]. */
export function psfWindows(model: PsfModel, params: Float32Array): Float32Array {
  return model.forward(params);
}

/** dLoss/dparams [B, N, N] given dLoss/dPSF [B, M, M] (recomputes the forward pass; use forwardWithVjp to share it). */
export function psfWindowsVjp(model: PsfModel, params: Float32Array, gradPsf: Float32Array): Float32Array {
  return model.forwardWithVjp(params).vjp(gradPsf);
}

export interface PsfWindowOptions {
  /** Metasurface cells per side (N) and their pitch. */
  cells: number;
  cellPitch_m: number;
  /** Metasurface-to-sensor distance. */
  distance_m: number;
  sensorPitch_m: number;
  /** Sensor pixels per side of the window: the kernel size k, or 2k for a fit window. */
  windowPixels: number;
  /** One wavelength per metasurface. */
  wavelengths_m: readonly number[];
  metasurface: MetasurfaceModel;
  /** Gauss-Legendre nodes per sensor pixel and axis; default: convergedSubsamples. */
  subsamplesPerPixel?: number;
  /** Propagation kernel of the window transform; default "rayleigh-sommerfeld" (see WindowKernel). */
  kernel?: WindowKernel;
  /** Tiles per side of the window transform's distortion correction (0 = none); default 4. */
  distortionTiles?: number;
  aperture?: ApertureSpec;
  normalisation?: PsfNormalisation;
}

/**
 * Gauss-Legendre nodes per pixel and axis so that pixel energies converge: the smallest count whose rule
 * integrates every spatial frequency up to half the intensity's band limit D / (lambda z) (shortest
 * wavelength) over a pixel to `tolerance` of the pixel mean. A focused PSF's intensity spectrum (the
 * pupil's autocorrelation) carries little weight in the upper half of its band. Measured against 8 nodes
 * on lens-like designs before and after fitting steps (default geometry, 460 nm): the 1e-3 default picks
 * 4 nodes at the DKO geometries, window NMSE 4e-7 .. 5e-6 and energy within 0.3 %; 3 nodes (tolerance
 * 1e-2) gave 2e-5 before fitting but up to 6.5e-4 after, with 1.7 % more energy; 2 nodes ~1e-3 before
 * fitting. The test against a fine reference checks the choice.
 */
export function convergedSubsamples(
  options: { cells: number; cellPitch_m: number; distance_m: number; sensorPitch_m: number; wavelengths_m: readonly number[] },
  tolerance = 1e-3,
): number {
  const band_perM = (options.cells * options.cellPitch_m) / (Math.min(...options.wavelengths_m) * options.distance_m);
  const highest = (band_perM / 2) * options.sensorPitch_m;
  for (let nodes = 1; nodes < 64; nodes++) {
    const { positions, weights } = gaussLegendre(nodes);
    let worst = 0;
    // cos(2 pi f x) over the pixel x in (-1/2, 1/2) pitches: exact mean sinc(f p).
    for (let i = 1; i <= 64; i++) {
      const cycles = (highest * i) / 64;
      let rule = 0;
      for (let s = 0; s < nodes; s++) rule += weights[s] * Math.cos(2 * Math.PI * cycles * positions[s]);
      worst = Math.max(worst, Math.abs(rule - Math.sin(Math.PI * cycles) / (Math.PI * cycles)));
    }
    if (worst <= tolerance) return nodes;
  }
  throw new Error(`convergedSubsamples: no rule below 64 nodes reaches ${tolerance} for ${highest.toFixed(1)} intensity cycles per pixel; use smaller sensor pixels`);
}

/** The DKO path: PSF windows at the sensor pitch via the single-step Fresnel matrix Fourier transform. */
export function createPsfWindowModel(options: PsfWindowOptions, ops: ComplexOps = getComplexOps()): PsfModel {
  const grid = new Grid(options.cells, options.cellPitch_m, "metasurface");
  const distance_m = requireDistance_m(options.distance_m, "distance_m");
  const sensorPitch_m = requirePitch_m(options.sensorPitch_m, "sensorPitch_m");
  const windowPixels = requirePositiveInteger(options.windowPixels, "windowPixels");
  options.wavelengths_m.forEach((w, b) => requireWavelength_m(w, `wavelengths_m[${b}]`));
  const subsamples = options.subsamplesPerPixel ?? convergedSubsamples(options);
  requirePositiveInteger(subsamples, "subsamplesPerPixel");
  // Nodes spaced wider than lambda z / D (the intensity's finest period) cannot resolve it.
  const limit_m = (Math.min(...options.wavelengths_m) * distance_m) / grid.extent_m;
  if (sensorPitch_m / subsamples > limit_m * (1 + 1e-9)) {
    throw new Error(
      `subsamplesPerPixel = ${subsamples} samples the PSF at ${(sensorPitch_m / subsamples).toExponential(3)} m, coarser than lambda z / D = ${limit_m.toExponential(3)} m: pixel energies would alias; use at least ${Math.ceil(sensorPitch_m / limit_m)} (converged default: ${convergedSubsamples(options)})`,
    );
  }
  const window = new SensorWindow({ pixels: windowPixels, pitch_m: sensorPitch_m, nodesPerPixel: subsamples });
  const operator = new FresnelWindowOperator(
    { grid, wavelengths_m: options.wavelengths_m, distance_m, outputCoordinates_m: window.nodeCoordinates_m(), kernel: options.kernel, distortionTiles: options.distortionTiles },
    ops,
  );
  const sensor = SensorIntegration.quadrature(window);
  return new PsfModel(grid, operator, sensor, options.metasurface, apertureAmplitude(grid, options.aperture ?? "square"), options.normalisation ?? "unit-sum", ops);
}

export interface FullFieldPsfOptions {
  cells: number;
  cellPitch_m: number;
  distance_m: number;
  wavelengths_m: readonly number[];
  metasurface: MetasurfaceModel;
  /** "fresnel" picks the transfer function or the impulse response by the sampling rule. */
  method: FullFieldMethod | "fresnel";
  /** Zero-padding factor (2 avoids wrap-around). */
  padding: number;
  /** Sensor pixel pitch; default: the output sample pitch (no integration). */
  sensorPitch_m?: number;
  /** Sensor pixels per side; default: as many as the N x N output samples cover. */
  windowPixels?: number;
  aperture?: ApertureSpec;
  normalisation?: PsfNormalisation;
  bandLimit?: boolean;
}

/** The reference path: full-field propagation on the padded grid, central N x N samples, then the sensor. */
export function createFullFieldPsfModel(options: FullFieldPsfOptions, ops: ComplexOps = getComplexOps()): PsfModel {
  const grid = new Grid(options.cells, options.cellPitch_m, "metasurface");
  const padding = requirePositiveInteger(options.padding, "padding");
  const method =
    options.method === "fresnel"
      ? fresnelMethodFor(grid.size * padding, grid.pitch_m, Math.min(...options.wavelengths_m), options.distance_m)
      : options.method;
  const operator = new FullFieldPropagator(
    { grid, wavelengths_m: options.wavelengths_m, distance_m: options.distance_m, method, padding, bandLimit: options.bandLimit },
    ops,
  );
  const samplePitch_m = operator.outputPitch_m;
  const sensorPitch_m = requirePitch_m(options.sensorPitch_m ?? samplePitch_m, "sensorPitch_m");
  const windowPixels = options.windowPixels ?? Math.max(1, Math.floor((grid.size * samplePitch_m) / sensorPitch_m + 1e-9));
  const coordinates = Float64Array.from({ length: grid.size }, (_, i) => (i - grid.centre) * samplePitch_m);
  const sensor = SensorIntegration.overlapping(coordinates, samplePitch_m, requirePositiveInteger(windowPixels, "windowPixels"), sensorPitch_m);
  return new PsfModel(grid, operator, sensor, options.metasurface, apertureAmplitude(grid, options.aperture ?? "square"), options.normalisation ?? "unit-sum", ops);
}
