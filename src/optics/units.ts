/**
 * Plausibility checks for physical quantities in SI units. A wavelength of 550 where metres are
 * expected is almost certainly nanometres; these checks turn such slips into errors that name the field
 * and the conversion, instead of a silently wrong PSF.
 */

interface Magnitude {
  what: string;
  min: number;
  max: number;
  /** Unit slips to recognise: a value in [min, max] * factor was probably given in that unit. */
  slips: { unit: string; factor: number }[];
}

/** A plausible range in metres and the unit slips (unit, factor) recognisable in it. */
const magnitude = (what: string, min: number, max: number, ...slips: [unit: string, factor: number][]): Magnitude => ({
  what,
  min,
  max,
  slips: slips.map(([unit, factor]) => ({ unit, factor })),
});

const WAVELENGTH = magnitude("wavelength", 1e-7, 2e-5, ["nanometres", 1e9], ["micrometres", 1e6]);
const PITCH = magnitude("pitch", 1e-8, 1e-3, ["micrometres", 1e6], ["nanometres", 1e9]);
const DISTANCE = magnitude("distance", 1e-7, 1, ["millimetres", 1e3], ["micrometres", 1e6]);
/** Sizes and radii: no single unit slip is recognisable across nine decades, so no guess is offered. */
const LENGTH = magnitude("length", 1e-9, 1);

function requireMagnitude(value: number, field: string, magnitude: Magnitude): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${field} must be a positive finite number in metres, got ${value}`);
  }
  if (value >= magnitude.min && value <= magnitude.max) return value;
  for (const slip of magnitude.slips) {
    if (value >= magnitude.min * slip.factor && value <= magnitude.max * slip.factor) {
      throw new Error(
        `${field} = ${value} is not a plausible ${magnitude.what} in metres; it looks like ${slip.unit}: pass ${value}e-${Math.round(Math.log10(slip.factor))} (${value / slip.factor} m)`,
      );
    }
  }
  throw new Error(`${field} = ${value} m is outside the plausible ${magnitude.what} range ${magnitude.min}..${magnitude.max} m; give it in metres`);
}

/** Wavelength in metres, 100 nm .. 20 um. */
export function requireWavelength_m(value: number, field = "wavelength_m"): number {
  return requireMagnitude(value, field, WAVELENGTH);
}

/** Sampling pitch in metres, 10 nm .. 1 mm. */
export function requirePitch_m(value: number, field = "pitch_m"): number {
  return requireMagnitude(value, field, PITCH);
}

/** Propagation distance in metres, 100 nm .. 1 m. */
export function requireDistance_m(value: number, field = "distance_m"): number {
  return requireMagnitude(value, field, DISTANCE);
}

/** Other lengths (aperture sizes, pillar radii) in metres, 1 nm .. 1 m. */
export function requireLength_m(value: number, field: string): number {
  return requireMagnitude(value, field, LENGTH);
}

export function requirePositiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${field} must be a positive integer, got ${value}`);
  return value;
}
