import { readFileSync } from "node:fs";
import { writeJsonAtomic } from "./atomic.js";

/**
 * Reads and parses a JSON file; a missing, unreadable or damaged file is reported with its path, what it
 * is and how to recover (`fix`), never as a bare parse position.
 */
export function readJsonFile<T = unknown>(path: string, what: string, fix: string): T {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`${path}: cannot read the ${what} (${code === "ENOENT" ? "it does not exist" : code === "EISDIR" ? "it is a directory" : code ?? (error as Error).message}); ${fix}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    const state = text.trim().length === 0 ? "is empty" : "is not valid JSON (damaged or cut short)";
    throw new Error(`${path}: the ${what} ${state}; ${fix}`);
  }
}

/**
 * Sets the `warnings` list of a JSON object file (a summary, a manifest) so that what a command printed as
 * a warning stays with the output it concerns; written atomically, other fields untouched.
 */
export function recordWarnings(path: string, warnings: readonly string[]): void {
  const value = readJsonFile<Record<string, unknown>>(path, "output file", "rerun the command that wrote it");
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`${path}: expected a JSON object to record warnings in`);
  writeJsonAtomic(path, { ...value, warnings: [...warnings] });
}

/**
 * The finished units of a resumable stage (a seed, a budget), each a JSON file tagged with a format and
 * the settings that made it. A unit is read back only under the same tag, so a rerun never takes one
 * made with other settings; a missing or damaged file reads as null (the unit runs again).
 */
export function unitFiles(format: string, settings: unknown) {
  const key = JSON.stringify(settings);
  return {
    read<T>(path: string): T | null {
      let unit: { format?: unknown; settings?: unknown; value?: T };
      try {
        unit = JSON.parse(readFileSync(path, "utf8"));
      } catch {
        return null;
      }
      return unit?.format === format && JSON.stringify(unit.settings) === key && unit.value !== undefined ? unit.value : null;
    },
    write(path: string, value: unknown): void {
      writeJsonAtomic(path, { format, settings, value });
    },
  };
}
