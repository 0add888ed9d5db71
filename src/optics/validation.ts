import type { ComplexOps, PlanarComplex } from "../engine/complex/complex-ops.js";
import { getComplexOps } from "../engine/complex/select.js";
import { perturbPhase } from "./fabrication.js";
import { DEFAULT_DISTORTION_TILES, FresnelWindowOperator } from "./fresnel-window.js";
import { SensorWindow } from "./pixel-quadrature.js";
import { Grid } from "./grid.js";
import { PhaseMetasurface, QuantisedPhaseMetasurface } from "./metasurface.js";
import { loadNanopillarLut, NanopillarMetasurface } from "./nanopillar-lut.js";
import { FullFieldPropagator } from "./propagation.js";
import { createFullFieldPsfModel, createPsfWindowModel, type PsfModel } from "./psf-model.js";
import { fresnelIntegrals } from "./special-functions.js";
import { createRandom } from "../util/random.js";
import { CellAsmWindow } from "./cell-asm-window.js";
import { focusingPhase, windowAgreement, type WindowGeometry, type WindowVariant } from "./model-agreement.js";

/**
 * Physics checks against closed forms (/work/shared/notes/optics-checks.md), returned as data so the
 * tests and `optocnn validate-optics` share them. Each check runs the production code paths.
 */
export interface ValidationResult {
  name: string;
  value: number;
  expected: number;
  tolerance: number;
  pass: boolean;
}

function result(name: string, value: number, expected: number, tolerance: number): ValidationResult {
  return { name, value, expected, tolerance, pass: Math.abs(value - expected) <= tolerance };
}

/**
 * Airy pattern of a lens-focused circular aperture through the Fresnel window path: first zero at
 * 1.220 lambda f / D, 83.8 % of the energy inside it.
 */
function airyChecks(ops: ComplexOps): ValidationResult[] {
  const wavelength_m = 550e-9;
  const focus_m = 5e-3;
  const grid = new Grid(256, 1e-6);
  const unit = (wavelength_m * focus_m) / grid.extent_m;
  const pitch_m = 0.04 * unit;
  const pixels = 2 * Math.ceil(1.6 / 0.04) + 1;
  const model = createPsfWindowModel(
    { cells: grid.size, cellPitch_m: grid.pitch_m, distance_m: focus_m, sensorPitch_m: pitch_m, windowPixels: pixels, wavelengths_m: [wavelength_m], metasurface: new PhaseMetasurface(), subsamplesPerPixel: 1, aperture: "circle", normalisation: "incident-energy" },
    ops,
  );
  const psf = model.forward(focusingPhase(grid, wavelength_m, focus_m));
  const centre = Math.floor(pixels / 2);
  const row = psf.subarray(centre * pixels, (centre + 1) * pixels);
  let j = centre + 1;
  while (j + 1 < pixels && !(row[j] <= row[j - 1] && row[j] <= row[j + 1])) j++;
  // Parabola through the three samples around the minimum.
  const [a, b, c] = [row[j - 1], row[j], row[j + 1]];
  const offset = (0.5 * (a - c)) / (a - 2 * b + c);
  const zero = ((j - centre + offset) * pitch_m) / unit;
  let inside = 0;
  for (let r = 0; r < pixels; r++) {
    for (let q = 0; q < pixels; q++) {
      if (Math.hypot(r - centre, q - centre) * pitch_m <= 1.2197 * unit) inside += psf[r * pixels + q];
    }
  }
  return [result("airy first zero (lambda f / D)", zero, 1.2197, 0.01), result("airy energy inside first zero", inside, 0.838, 0.01)];
}

/** Unit-power Gaussian beam of waist w0 on the grid. */
function gaussianBeam(grid: Grid, waist_m: number): PlanarComplex {
  const N = grid.size;
  const re = new Float32Array(N * N);
  for (let r = 0; r < N; r++) {
    for (let c = 0; c < N; c++) re[r * N + c] = Math.exp(-(grid.coordinate_m(r) ** 2 + grid.coordinate_m(c) ** 2) / (waist_m * waist_m));
  }
  return { re, im: new Float32Array(N * N) };
}

function power(field: PlanarComplex): number {
  let sum = 0;
  for (let i = 0; i < field.re.length; i++) sum += field.re[i] ** 2 + field.im[i] ** 2;
  return sum;
}

/** Energy conservation of the unlimited angular spectrum and the Fresnel transfer function; Gaussian beam width. */
function propagationChecks(ops: ComplexOps): ValidationResult[] {
  const grid = new Grid(128, 1e-6);
  const wavelength_m = 550e-9;
  const distance_m = 400e-6;
  const waist_m = 10e-6;
  const beam = gaussianBeam(grid, waist_m);
  const out: ValidationResult[] = [];
  for (const method of ["asm", "fresnel-tf"] as const) {
    const propagator = new FullFieldPropagator({ grid, wavelengths_m: [wavelength_m], distance_m, method, padding: 2, bandLimit: false }, ops);
    const propagated = propagator.forward(beam);
    out.push(result(`energy conservation (${method}, no band limit)`, power(propagated) / power(beam), 1, 1e-4));
    if (method === "asm") {
      // 1/e^2 intensity radius from the intensity's second moment along x: w^2 = 4 <x^2>.
      let moment = 0;
      const N = grid.size;
      for (let r = 0; r < N; r++) {
        for (let c = 0; c < N; c++) moment += grid.coordinate_m(c) ** 2 * (propagated.re[r * N + c] ** 2 + propagated.im[r * N + c] ** 2);
      }
      const width = Math.sqrt((4 * moment) / power(propagated));
      const rayleigh = (Math.PI * waist_m * waist_m) / wavelength_m;
      const expected = waist_m * Math.sqrt(1 + (distance_m / rayleigh) ** 2);
      out.push(result("gaussian beam width w(z) / w0 (asm)", width / waist_m, expected / waist_m, 2e-3));
    }
  }
  return out;
}

/** Closed-form Fresnel intensity of a square aperture of half-width a (unit incident intensity). */
function squareApertureIntensity(x_m: number, y_m: number, halfWidth_m: number, wavelength_m: number, distance_m: number): number {
  const alpha = Math.sqrt(2 / (wavelength_m * distance_m));
  const axis = (u: number): number => {
    const low = fresnelIntegrals(alpha * (-halfWidth_m - u));
    const high = fresnelIntegrals(alpha * (halfWidth_m - u));
    return ((high.c - low.c) ** 2 + (high.s - low.s) ** 2) / 2;
  };
  return axis(x_m) * axis(y_m);
}

/** Square aperture at Fresnel number 5: the window path (cell-integrated) and the angular spectrum against Fresnel integrals. */
function squareApertureChecks(ops: ComplexOps): ValidationResult[] {
  const wavelength_m = 550e-9;
  // 4 um cells: the aperture is 0.4 mm at 15 mm, where the paraxial closed form holds to ~0.03 rad at the window edge.
  const pitch_m = 4e-6;
  const cellsAcross = 101;
  const halfWidth_m = (cellsAcross * pitch_m) / 2;
  const distance_m = (halfWidth_m * halfWidth_m) / (wavelength_m * 5);
  const samples = 151;
  const reference = Float64Array.from({ length: samples }, (_, j) => squareApertureIntensity((j - 75) * pitch_m, 0, halfWidth_m, wavelength_m, distance_m));
  const peak = Math.max(...reference);
  const maxError = (row: ArrayLike<number>) => {
    let error = 0;
    for (let j = 0; j < samples; j++) error = Math.max(error, Math.abs(row[j] - reference[j]));
    return error / peak;
  };
  // Window path: the metasurface grid is the aperture itself; one sample per "pixel" of 4 um. The closed
  // form is paraxial, so is the kernel compared with it.
  const window = createPsfWindowModel(
    { cells: cellsAcross, cellPitch_m: pitch_m, distance_m, sensorPitch_m: pitch_m, windowPixels: samples, wavelengths_m: [wavelength_m], metasurface: new PhaseMetasurface(), subsamplesPerPixel: 1, normalisation: "none", kernel: "paraxial" },
    ops,
  );
  const windowIntensity = window.forward(new Float32Array(cellsAcross * cellsAcross)).subarray(75 * samples, 76 * samples).map((e) => e / pitch_m ** 2);
  // Angular spectrum: the aperture as 101 x 101 unit samples inside a 256 grid.
  const grid = new Grid(256, pitch_m);
  const N = grid.size;
  const aperture = new Float32Array(N * N);
  for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) if (Math.abs(r - grid.centre) <= 50 && Math.abs(c - grid.centre) <= 50) aperture[r * N + c] = 1;
  const asm = new FullFieldPropagator({ grid, wavelengths_m: [wavelength_m], distance_m, method: "asm", padding: 2 }, ops).forward({ re: aperture, im: new Float32Array(N * N) });
  const asmRow = Float64Array.from({ length: samples }, (_, j) => {
    const index = grid.centre * N + grid.centre - 75 + j;
    return asm.re[index] ** 2 + asm.im[index] ** 2;
  });
  // Cell-model angular spectrum: the 101 cells are the aperture itself; one node per 4 um pixel. A flat
  // sharp-edged aperture's spectrum falls slowly, so this keeps 4x the default frequencies (8.7e-4 here;
  // 7e-3 with the defaults, which suit focusing designs).
  const cellGrid = new Grid(cellsAcross, pitch_m);
  const cellAsm = new CellAsmWindow(
    { grid: cellGrid, wavelength_m, distance_m, window: new SensorWindow({ pixels: samples, pitch_m, nodesPerPixel: 1 }), padding: 8, frequencyMargin: 3 },
    ops,
  ).energies({ re: new Float32Array(cellsAcross ** 2).fill(1), im: new Float32Array(cellsAcross ** 2) });
  const cellAsmRow = cellAsm.subarray(75 * samples, 76 * samples).map((e) => e / pitch_m ** 2);
  return [
    result("fresnel square aperture N_F=5, max error / peak (fresnel window)", maxError(windowIntensity), 0, 1e-3),
    result("fresnel square aperture N_F=5, max error / peak (asm)", maxError(asmRow), 0, 0.02),
    result("fresnel square aperture N_F=5, max error / peak (cell-model asm)", maxError(cellAsmRow), 0, 2e-3),
  ];
}

/** N-level blazed grating: first-order efficiency sinc^2(1/N), through the quantised model and a lens focus. */
function gratingChecks(ops: ComplexOps): ValidationResult[] {
  const grid = new Grid(256, 2e-6);
  const N = grid.size;
  const period = 128;
  const phase = new Float32Array(N * N);
  for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) phase[r * N + c] = (2 * Math.PI * c) / period;
  return [2, 4, 8].map((levels) => {
    const model = createFullFieldPsfModel(
      { cells: N, cellPitch_m: grid.pitch_m, distance_m: 5e-3, wavelengths_m: [550e-9], metasurface: new QuantisedPhaseMetasurface(levels), method: "lens-focus", padding: 1, normalisation: "incident-energy" },
      ops,
    );
    const psf = model.forward(phase);
    const order = psf[grid.centre * N + grid.centre + N / period];
    const sinc = Math.sin(Math.PI / levels) / (Math.PI / levels);
    return result(`quantised grating first-order efficiency (${levels} levels)`, order, sinc * sinc, 2e-3);
  });
}

function randomComplex(length: number, seed: number): PlanarComplex {
  const random = createRandom(seed);
  return { re: Float32Array.from({ length }, () => random() - 0.5), im: Float32Array.from({ length }, () => random() - 0.5) };
}

function adjointMismatch(forward: (x: PlanarComplex) => PlanarComplex, adjoint: (y: PlanarComplex) => PlanarComplex, inLength: number, outLength: number): number {
  const x = randomComplex(inLength, 1);
  const y = randomComplex(outLength, 2);
  const ax = forward(x);
  const ahy = adjoint(y);
  let re1 = 0, im1 = 0, re2 = 0, im2 = 0;
  for (let i = 0; i < outLength; i++) {
    re1 += ax.re[i] * y.re[i] + ax.im[i] * y.im[i];
    im1 += ax.re[i] * y.im[i] - ax.im[i] * y.re[i];
  }
  for (let i = 0; i < inLength; i++) {
    re2 += x.re[i] * ahy.re[i] + x.im[i] * ahy.im[i];
    im2 += x.re[i] * ahy.im[i] - x.im[i] * ahy.re[i];
  }
  return Math.hypot(re1 - re2, im1 - im2) / Math.hypot(re1, im1);
}

function adjointChecks(ops: ComplexOps): ValidationResult[] {
  const grid = new Grid(48, 2e-6);
  const wavelengths_m = [640e-9, 550e-9, 460e-9];
  const window = new FresnelWindowOperator({ grid, wavelengths_m, distance_m: 2e-3, outputCoordinates_m: new SensorWindow({ pixels: 7, pitch_m: 3e-6, nodesPerPixel: 3 }).nodeCoordinates_m() }, ops);
  const asm = new FullFieldPropagator({ grid, wavelengths_m, distance_m: 2e-4, method: "asm", padding: 2 }, ops);
  return [window, asm].map((operator) =>
    result(
      `adjoint dot-product |<Ax,y> - <x,A^H y>| / |<Ax,y>| (${operator === window ? "fresnel window" : "asm"})`,
      adjointMismatch((x) => operator.forward(x), (y) => operator.adjoint(y), 3 * grid.size ** 2, 3 * operator.outputSize ** 2),
      0,
      1e-5,
    ),
  );
}

/** Relative error of the adjoint gradient of <w, PSF> against a central finite difference. */
export function finiteDifferenceMismatch(model: PsfModel, params: Float32Array, step: number, seed: number): number {
  const random = createRandom(seed);
  const weights = Float32Array.from({ length: model.batch * model.windowPixels ** 2 }, () => random() - 0.5);
  const gradient = model.forwardWithVjp(params).vjp(weights);
  const noise = Float32Array.from({ length: params.length }, () => random() - 0.5);
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  };
  // A random direction plus the gradient's own keeps the directional derivative above float32 noise.
  const ratio = Math.sqrt(dot(noise, noise) / dot(gradient, gradient));
  const direction = noise.map((v, i) => v + ratio * gradient[i]);
  const loss = (sign: number) => dot(weights, model.forward(params.map((p, i) => p + sign * step * direction[i])));
  const numeric = (loss(1) - loss(-1)) / (2 * step);
  return Math.abs(dot(gradient, direction) - numeric) / Math.abs(numeric);
}

function gradientChecks(ops: ComplexOps): ValidationResult[] {
  const grid = new Grid(32, 2e-6);
  const wavelengths_m = [640e-9, 550e-9, 460e-9];
  const common = { cells: grid.size, cellPitch_m: grid.pitch_m, distance_m: 2e-3, sensorPitch_m: 3e-6, windowPixels: 6, wavelengths_m };
  const phaseModel = createPsfWindowModel({ ...common, metasurface: new PhaseMetasurface() }, ops);
  const lens = focusingPhase(grid, 550e-9, 2e-3);
  const phaseParams = new Float32Array(3 * grid.size ** 2);
  for (let b = 0; b < 3; b++) phaseParams.set(lens, b * grid.size ** 2);
  const pillars = new NanopillarMetasurface(loadNanopillarLut());
  const pillarModel = createPsfWindowModel({ ...common, metasurface: pillars }, ops);
  const random = createRandom(5);
  // The phase-radius curve bends fast (O(h^2) truncation dominates above h ~ 3e-3), hence the smaller step.
  const pillarParams = Float32Array.from({ length: 3 * grid.size ** 2 }, () => 2 * (random() - 0.5));
  return [
    result("finite-difference gradient, phase metasurfaces (relative error)", finiteDifferenceMismatch(phaseModel, phaseParams, 1e-2, 3), 0, 2e-3),
    result("finite-difference gradient, nanopillar radius (relative error)", finiteDifferenceMismatch(pillarModel, pillarParams, 1e-3, 4), 0, 2e-3),
  ];
}

/** Strehl ratio under random phase errors of rms sigma: exp(-sigma^2) (Marechal), mean over seeds. */
function marechalCheck(ops: ComplexOps): ValidationResult {
  const sigma_rad = 0.3;
  const wavelength_m = 550e-9;
  const focus_m = 5e-3;
  const grid = new Grid(128, 1e-6);
  // One tiny pixel on the axis samples the peak intensity.
  const model = createPsfWindowModel(
    { cells: grid.size, cellPitch_m: grid.pitch_m, distance_m: focus_m, sensorPitch_m: 0.1e-6, windowPixels: 1, wavelengths_m: [wavelength_m], metasurface: new PhaseMetasurface(), subsamplesPerPixel: 1, normalisation: "none" },
    ops,
  );
  const lens = focusingPhase(grid, wavelength_m, focus_m);
  const peak = model.forward(lens)[0];
  const seeds = [1, 2, 3, 4];
  const strehl = seeds.reduce((sum, seed) => sum + model.forward(perturbPhase(lens, sigma_rad, seed))[0] / peak, 0) / seeds.length;
  return result(`marechal Strehl ratio, sigma = ${sigma_rad} rad`, strehl, Math.exp(-sigma_rad * sigma_rad), 0.01);
}

/** The DKO presets' optics (src/dko/config.ts) with a 14 x 14 fit window, for the full agreement checks. */
export const DKO_WINDOW_GEOMETRIES: { name: string; geometry: WindowGeometry; noise_rad: number }[] = [
  { name: "default", geometry: { cells: 513, cellPitch_m: 1.5e-6, distance_m: 3e-3, sensorPitch_m: 2.74e-6, windowPixels: 14 }, noise_rad: 0.5 },
  { name: "paper", geometry: { cells: 1025, cellPitch_m: 2.5e-6, distance_m: 1e-2, sensorPitch_m: 2.74e-6, windowPixels: 14 }, noise_rad: 0.1 },
];

/** Window model variants compared with the cell-model angular spectrum; only the default (last) is held to NMSE 1e-3. */
export const AGREEMENT_VARIANTS: WindowVariant[] = [
  { kernel: "paraxial" },
  { kernel: "spherical-phase", distortionTiles: 0 },
  { kernel: "rayleigh-sommerfeld", distortionTiles: 0 },
  { kernel: "spherical-phase", distortionTiles: 4 },
  { kernel: "rayleigh-sommerfeld", distortionTiles: 8 },
  { kernel: "rayleigh-sommerfeld" },
];

export interface AgreementRow {
  geometry: string;
  wavelength_nm: number;
  kernel: string;
  distortionTiles: number;
  nmse: number;
  energyRatio: number;
}

/**
 * Window model against the cell-model angular spectrum on a focusing lens plus seeded phase noise, per
 * wavelength: the unit-sum NMSE and energy ratio of every variant (for the report) and a check on the default one.
 */
export function windowAgreementChecks(
  cases: { name: string; geometry: WindowGeometry; noise_rad: number }[],
  wavelengths_m: readonly number[],
  ops: ComplexOps,
): { checks: ValidationResult[]; table: AgreementRow[] } {
  const checks: ValidationResult[] = [];
  const table: AgreementRow[] = [];
  for (const { name, geometry, noise_rad } of cases) {
    const grid = new Grid(geometry.cells, geometry.cellPitch_m);
    for (const wavelength_m of wavelengths_m) {
      const phase = focusingPhase(grid, wavelength_m, geometry.distance_m, noise_rad, 1);
      const { results } = windowAgreement({ geometry, wavelength_m, phase, variants: AGREEMENT_VARIANTS }, ops);
      const nm = Math.round(wavelength_m * 1e9);
      for (const r of results) table.push({ geometry: name, wavelength_nm: nm, kernel: r.kernel, distortionTiles: r.kernel === "paraxial" ? 0 : (r.distortionTiles ?? DEFAULT_DISTORTION_TILES), nmse: r.nmse, energyRatio: r.energyRatio });
      const chosen = results[results.length - 1];
      checks.push(result(`window model vs cell-model asm, ${name} geometry, ${nm} nm, unit-sum NMSE per 14x14 window`, chosen.nmse, 0, 1e-3));
    }
  }
  return { checks, table };
}

/**
 * A quarter-size geometry with the default's cell pitch and sensor, at 1.5 mm (0.7 rad of quartic phase
 * at the edge for 460 nm): cheap enough for every validation run.
 */
const SMALL_AGREEMENT = [{ name: "257-cell", geometry: { cells: 257, cellPitch_m: 1.5e-6, distance_m: 1.5e-3, sensorPitch_m: 2.74e-6, windowPixels: 14 }, noise_rad: 0.5 }];

/**
 * All checks, and the agreement table of every window model variant; `full` runs the agreement at the DKO
 * default and paper geometries and all three wavelengths (minutes) instead of one small geometry.
 */
export function opticsValidationReport(ops: ComplexOps = getComplexOps(), options: { full?: boolean } = {}): { results: ValidationResult[]; agreement: AgreementRow[] } {
  const agreement = windowAgreementChecks(options.full ? DKO_WINDOW_GEOMETRIES : SMALL_AGREEMENT, options.full ? [640e-9, 550e-9, 460e-9] : [460e-9], ops);
  return { results: [...agreement.checks, ...runClosedFormChecks(ops)], agreement: agreement.table };
}

export function runOpticsValidation(ops: ComplexOps = getComplexOps()): ValidationResult[] {
  return opticsValidationReport(ops).results;
}

function runClosedFormChecks(ops: ComplexOps): ValidationResult[] {
  return [
    ...airyChecks(ops),
    ...propagationChecks(ops),
    ...squareApertureChecks(ops),
    ...gratingChecks(ops),
    ...adjointChecks(ops),
    ...gradientChecks(ops),
    marechalCheck(ops),
  ];
}
