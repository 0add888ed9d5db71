import { readFileSync } from "node:fs";
import { readJsonFile } from "../io/json-file.js";
import { join } from "node:path";
import { z } from "zod";
import type { CellResponse, MetasurfaceModel } from "./metasurface.js";
import { requireLength_m, requireWavelength_m } from "./units.js";
import { PROJECT_ROOT } from "../io/paths.js";

/**
 * Nanopillar lookup table: radius -> complex transmission t = amplitude * exp(i phase) per wavelength,
 * interpolated smoothly (cubic Hermite on Re t and Im t, slopes from neighbouring rows) so gradients exist.
 *
 * File formats:
 * - JSON: { radius_m: [R], wavelength_m: [W], amplitude: [W][R], phase_rad: [W][R], ...metadata }
 *   (the default src/optics/data/nanopillar-tio2.json is a waveguide MODEL; see its provenance field);
 * - CSV with a header and one row per (radius, wavelength): radius_nm (or radius_m), wavelength_nm
 *   (or wavelength_m), amplitude, phase_rad.
 */
export const DEFAULT_NANOPILLAR_LUT = join(PROJECT_ROOT, "src", "optics", "data", "nanopillar-tio2.json");

const jsonSchema = z.object({
  radius_m: z.array(z.number()).min(2),
  wavelength_m: z.array(z.number()).min(1),
  amplitude: z.array(z.array(z.number())),
  phase_rad: z.array(z.array(z.number())),
  provenance: z.string().optional(),
});

export class NanopillarLut {
  readonly radii_m: Float64Array;
  readonly wavelengths_m: Float64Array;
  readonly minRadius_m: number;
  readonly maxRadius_m: number;
  /** Per wavelength: Re t, Im t and their slopes d/dr at the table radii. */
  private readonly rows: { re: Float64Array; im: Float64Array; slopeRe: Float64Array; slopeIm: Float64Array }[];

  constructor(radii_m: number[], wavelengths_m: number[], amplitude: number[][], phase_rad: number[][], readonly source: string, readonly provenance = "") {
    radii_m.forEach((r, i) => requireLength_m(r, `${source}: radius[${i}]`));
    wavelengths_m.forEach((w, i) => requireWavelength_m(w, `${source}: wavelength[${i}]`));
    for (let i = 1; i < radii_m.length; i++) {
      if (!(radii_m[i] > radii_m[i - 1])) throw new Error(`${source}: radii must increase strictly (row ${i}: ${radii_m[i]} after ${radii_m[i - 1]})`);
    }
    const R = radii_m.length;
    if (amplitude.length !== wavelengths_m.length || phase_rad.length !== wavelengths_m.length) {
      throw new Error(`${source}: amplitude and phase_rad need one row per wavelength (${wavelengths_m.length})`);
    }
    this.radii_m = Float64Array.from(radii_m);
    this.wavelengths_m = Float64Array.from(wavelengths_m);
    this.minRadius_m = radii_m[0];
    this.maxRadius_m = radii_m[R - 1];
    this.rows = wavelengths_m.map((w, wi) => {
      const a = amplitude[wi];
      const p = phase_rad[wi];
      if (a.length !== R || p.length !== R) throw new Error(`${source}: wavelength ${w} m has ${a.length} amplitudes and ${p.length} phases for ${R} radii`);
      a.forEach((v, i) => {
        if (!Number.isFinite(v) || v < 0 || v > 1.0001) throw new Error(`${source}: amplitude ${v} at wavelength ${w} m, radius ${radii_m[i]} m must be in [0, 1]`);
      });
      for (let i = 0; i < R; i++) {
        if (!Number.isFinite(p[i])) throw new Error(`${source}: phase ${p[i]} at wavelength ${w} m, radius ${radii_m[i]} m is not finite`);
        if (i > 0) {
          const step = Math.abs(Math.atan2(Math.sin(p[i] - p[i - 1]), Math.cos(p[i] - p[i - 1])));
          if (step > Math.PI / 2) {
            throw new Error(`${source}: phase jumps ${step.toFixed(2)} rad between radii ${radii_m[i - 1]} and ${radii_m[i]} m at wavelength ${w} m; sample the radius more finely (steps under pi/2) so interpolation is meaningful`);
          }
        }
      }
      const re = Float64Array.from(a, (v, i) => v * Math.cos(p[i]));
      const im = Float64Array.from(a, (v, i) => v * Math.sin(p[i]));
      return { re, im, slopeRe: slopes(this.radii_m, re), slopeIm: slopes(this.radii_m, im) };
    });
  }

  /** Index of the table wavelength within 0.5 nm of `wavelength_m`, or an error listing the available ones. */
  wavelengthIndex(wavelength_m: number): number {
    const index = this.wavelengths_m.findIndex((w) => Math.abs(w - wavelength_m) <= 0.5e-9);
    if (index < 0) {
      const available = [...this.wavelengths_m].map((w) => `${(w * 1e9).toFixed(1)} nm`).join(", ");
      throw new Error(`${this.source}: no entry for wavelength ${(wavelength_m * 1e9).toFixed(1)} nm (table has ${available}); use one of those or load a table that covers it`);
    }
    return index;
  }

  /** t(r) and dt/dr at one table wavelength; r is clamped to the table range. */
  evaluate(wavelengthIndex: number, radius_m: number, out: Float64Array): void {
    const radii = this.radii_m;
    const row = this.rows[wavelengthIndex];
    const r = Math.min(this.maxRadius_m, Math.max(this.minRadius_m, radius_m));
    let low = 0;
    let high = radii.length - 1;
    while (high - low > 1) {
      const mid = (low + high) >> 1;
      if (radii[mid] <= r) low = mid;
      else high = mid;
    }
    const h = radii[high] - radii[low];
    const s = (r - radii[low]) / h;
    const s2 = s * s;
    const s3 = s2 * s;
    const h00 = 2 * s3 - 3 * s2 + 1;
    const h10 = s3 - 2 * s2 + s;
    const h01 = -2 * s3 + 3 * s2;
    const h11 = s3 - s2;
    const d00 = (6 * s2 - 6 * s) / h;
    const d10 = 3 * s2 - 4 * s + 1;
    const d01 = (-6 * s2 + 6 * s) / h;
    const d11 = 3 * s2 - 2 * s;
    out[0] = h00 * row.re[low] + h10 * h * row.slopeRe[low] + h01 * row.re[high] + h11 * h * row.slopeRe[high];
    out[1] = h00 * row.im[low] + h10 * h * row.slopeIm[low] + h01 * row.im[high] + h11 * h * row.slopeIm[high];
    out[2] = d00 * row.re[low] + d10 * row.slopeRe[low] + d01 * row.re[high] + d11 * row.slopeRe[high];
    out[3] = d00 * row.im[low] + d10 * row.slopeIm[low] + d01 * row.im[high] + d11 * row.slopeIm[high];
  }
}

/** Three-point derivative estimates on a non-uniform grid (one-sided at the ends). */
function slopes(x: Float64Array, y: Float64Array): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (i === 0) out[i] = (y[1] - y[0]) / (x[1] - x[0]);
    else if (i === n - 1) out[i] = (y[n - 1] - y[n - 2]) / (x[n - 1] - x[n - 2]);
    else {
      const hl = x[i] - x[i - 1];
      const hr = x[i + 1] - x[i];
      out[i] = (hl * hl * (y[i + 1] - y[i]) + hr * hr * (y[i] - y[i - 1])) / (hl * hr * (hl + hr));
    }
  }
  return out;
}

function parseCsv(text: string, source: string): NanopillarLut {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith("#"));
  const header = lines[0].split(",").map((h) => h.trim());
  const column = (names: string[]): { index: number; scale: number } => {
    for (const name of names) {
      const index = header.indexOf(name);
      if (index >= 0) return { index, scale: name.endsWith("_nm") ? 1e-9 : 1 };
    }
    throw new Error(`${source}: CSV header needs a column ${names.join(" or ")} (found: ${header.join(", ")})`);
  };
  const radiusColumn = column(["radius_nm", "radius_m"]);
  const wavelengthColumn = column(["wavelength_nm", "wavelength_m"]);
  const amplitudeColumn = column(["amplitude"]);
  const phaseColumn = column(["phase_rad"]);
  const entries = lines.slice(1).map((line, i) => {
    const cells = line.split(",").map(Number);
    const value = (c: { index: number; scale: number }) => {
      const v = cells[c.index];
      if (!Number.isFinite(v)) throw new Error(`${source}: line ${i + 2}, column ${header[c.index]} is not a number`);
      return v * c.scale;
    };
    return { radius: value(radiusColumn), wavelength: value(wavelengthColumn), amplitude: value(amplitudeColumn), phase: value(phaseColumn) };
  });
  const key = (v: number) => v.toPrecision(9);
  const radii = [...new Map(entries.map((e) => [key(e.radius), e.radius])).values()].sort((a, b) => a - b);
  const wavelengths = [...new Map(entries.map((e) => [key(e.wavelength), e.wavelength])).values()].sort((a, b) => a - b);
  const amplitude = wavelengths.map(() => new Array<number>(radii.length).fill(Number.NaN));
  const phase = wavelengths.map(() => new Array<number>(radii.length).fill(Number.NaN));
  for (const e of entries) {
    const w = wavelengths.findIndex((x) => key(x) === key(e.wavelength));
    const r = radii.findIndex((x) => key(x) === key(e.radius));
    amplitude[w][r] = e.amplitude;
    phase[w][r] = e.phase;
  }
  amplitude.forEach((row, w) => {
    const missing = row.findIndex((v) => Number.isNaN(v));
    if (missing >= 0) throw new Error(`${source}: no row for radius ${radii[missing]} m at wavelength ${wavelengths[w]} m; give every (radius, wavelength) pair`);
  });
  return new NanopillarLut(radii, wavelengths, amplitude, phase, source);
}

/** Loads a table from JSON or CSV (by extension); default: the shipped TiO2 model table. */
export function loadNanopillarLut(path = DEFAULT_NANOPILLAR_LUT): NanopillarLut {
  const fix = "give a nanopillar table as JSON {radius_m, wavelength_m, amplitude, phase_rad} or CSV";
  if (path.toLowerCase().endsWith(".csv")) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new Error(`${path}: cannot read the nanopillar table (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ${fix}`);
    }
    return parseCsv(text, path);
  }
  const parsed = jsonSchema.safeParse(readJsonFile(path, "nanopillar table", fix));
  if (!parsed.success) {
    throw new Error(`${path}: not a nanopillar table: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const t = parsed.data;
  return new NanopillarLut(t.radius_m, t.wavelength_m, t.amplitude, t.phase_rad, path, t.provenance);
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Metasurface of nanopillars. The parameter per cell is unconstrained; the radius is
 * r = r_min + (r_max - r_min) * sigmoid(param), so it stays inside the table's range by construction.
 */
export class NanopillarMetasurface implements MetasurfaceModel {
  readonly kind = "nanopillar";
  readonly parameterMeaning = "unconstrained radius parameter (radius = r_min + (r_max - r_min) sigmoid(p))";
  readonly differentiable = true;
  constructor(readonly lut: NanopillarLut) {}

  radius_m(parameter: number): number {
    return this.lut.minRadius_m + (this.lut.maxRadius_m - this.lut.minRadius_m) * sigmoid(parameter);
  }

  /** Inverse of radius_m; radii at or beyond the range map to +-12 (0.0006 % of the range from its ends). */
  parameter(radius_m: number): number {
    const fraction = (radius_m - this.lut.minRadius_m) / (this.lut.maxRadius_m - this.lut.minRadius_m);
    const clamped = Math.min(1 - 6e-6, Math.max(6e-6, fraction));
    return Math.log(clamped / (1 - clamped));
  }

  forWavelength(wavelength_m: number): CellResponse {
    const index = this.lut.wavelengthIndex(wavelength_m);
    const span = this.lut.maxRadius_m - this.lut.minRadius_m;
    const value = new Float64Array(4);
    return {
      transmission: (params, out) => {
        for (let i = 0; i < params.length; i++) {
          this.lut.evaluate(index, this.radius_m(params[i]), value);
          out.re[i] = value[0];
          out.im[i] = value[1];
        }
      },
      // dL/dp = Re(conj(G) dt/dr) dr/dp, dr/dp = span sigmoid (1 - sigmoid).
      vjp: (params, gradient, out) => {
        for (let i = 0; i < params.length; i++) {
          const s = sigmoid(params[i]);
          this.lut.evaluate(index, this.lut.minRadius_m + span * s, value);
          out[i] = (gradient.re[i] * value[2] + gradient.im[i] * value[3]) * span * s * (1 - s);
        }
      },
    };
  }
}
