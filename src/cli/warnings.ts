import type { DkoOptics } from "../dko/config.js";
import type { KernelBankShape } from "../optics/kernels.js";

/**
 * Warnings a command prints are also recorded in the output file they concern (its `warnings` list), so
 * a result read later carries them; one line each on stderr, prefixed like every CLI message.
 */
export async function reportWarnings(command: string, file: string | null, warnings: readonly (string | null | undefined)[]): Promise<string[]> {
  const kept = [...new Set(warnings.filter((w): w is string => typeof w === "string" && w.length > 0))];
  for (const warning of kept) console.warn(`optocnn ${command}: warning: ${warning}`);
  if (file) {
    const { recordWarnings } = await import("../io/json-file.js");
    recordWarnings(file, kept);
  }
  return kept;
}

/**
 * The window model's validity warning for a metasurface bank of these optics (the one DKO records in
 * its summary), for the commands whose runs do not record it themselves (e2e, ntkd, compare).
 */
export async function opticsValidityWarning(optics: DkoOptics, shape: KernelBankShape): Promise<string | null> {
  const { OpticsBank } = await import("../dko/optics-bank.js");
  const warning = new OpticsBank(optics, shape).validity.warning;
  return warning ? `window model: ${warning}` : null;
}
