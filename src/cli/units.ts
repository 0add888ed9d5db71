import { z } from "zod";

/**
 * Option schemas for physical quantities in the units the flag names (nm, um, mm). A value outside the
 * plausible range is told the range in those same units and, when it fits another unit by a factor of
 * 1000, which unit it looks like, so a hint never contradicts the flag's own unit.
 */
interface UnitRange {
  unit: string;
  /** The unit one step smaller and larger by 1000 (what a slip would have used). */
  smaller?: string;
  larger?: string;
  min: number;
  max: number;
  example: string;
}

export const NANOMETRES = (min: number, max: number): UnitRange => ({ unit: "nanometres", smaller: "picometres", larger: "micrometres", min, max, example: "550" });
export const MICROMETRES = (min: number, max: number): UnitRange => ({ unit: "micrometres", smaller: "nanometres", larger: "millimetres", min, max, example: "2.5" });
export const MILLIMETRES = (min: number, max: number): UnitRange => ({ unit: "millimetres", smaller: "micrometres", larger: "metres", min, max, example: "10" });

/** Why `value` is out of `range`, in the flag's unit. */
export function rangeMessage(value: number, range: UnitRange): string {
  const base = `is in ${range.unit} (${range.min}..${range.max}), e.g. ${range.example}; got ${value}`;
  if (value < range.min && value * 1000 >= range.min && value * 1000 <= range.max && range.larger) {
    return `${base}, which looks like ${range.larger}: give ${+(value * 1000).toPrecision(6)}`;
  }
  if (value > range.max && value / 1000 >= range.min && value / 1000 <= range.max && range.smaller) {
    return `${base}, which looks like ${range.smaller}: give ${+(value / 1000).toPrecision(6)}`;
  }
  return base;
}

/** A number in `range` (coerced from the option text). */
export function quantity(range: UnitRange) {
  return z.coerce
    .number({ message: `must be a number in ${range.unit}` })
    .refine(Number.isFinite, `must be a finite number in ${range.unit}`)
    .superRefine((value, ctx) => {
      if (value < range.min || value > range.max) ctx.addIssue({ code: "custom", message: rangeMessage(value, range) });
    });
}

/** A comma-separated list of `count` numbers in `range`, e.g. "640,550,460". */
export function quantityList(range: UnitRange, count: number, what: string) {
  return z.string().transform((text, ctx) => {
    const parts = text.split(",").map((s) => s.trim());
    const values = parts.map(Number);
    if (parts.length !== count || values.some((v, i) => parts[i] === "" || !Number.isFinite(v))) {
      ctx.addIssue({ code: "custom", message: `must be ${count} numbers in ${range.unit} separated by commas (${what}), got "${text}"` });
      return z.NEVER;
    }
    for (const value of values) {
      if (value < range.min || value > range.max) {
        ctx.addIssue({ code: "custom", message: `each value ${rangeMessage(value, range)}` });
        return z.NEVER;
      }
    }
    return values;
  });
}
