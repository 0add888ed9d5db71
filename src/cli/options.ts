import type { z } from "zod";
import { zodIssueLines } from "./errors.js";

/**
 * Validates CLI options with a zod schema; on failure throws one error naming each bad option
 * as the user typed it (`--steps`), with what is expected.
 */
export function parseOptions<T extends z.ZodTypeAny>(schema: T, raw: unknown): z.infer<T> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new Error(`invalid options:\n  ${zodIssueLines(result.error.issues).join("\n  ")}`);
}
