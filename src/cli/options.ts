import type { z } from "zod";

/**
 * Validates CLI options with a zod schema; on failure throws one error naming each bad option
 * as the user typed it (`--steps`), with what is expected.
 */
export function parseOptions<T extends z.ZodTypeAny>(schema: T, raw: unknown): z.infer<T> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const key = issue.path.map(String).join(".");
    const flag = key ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : "options";
    return `${flag}: ${issue.message}`;
  });
  throw new Error(`invalid options:\n  ${lines.join("\n  ")}`);
}
