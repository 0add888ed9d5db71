import { ZodError, type ZodIssue } from "zod";

/**
 * The one place that turns any error a command throws into the line(s) the user reads: operating-system
 * errors become words naming the path and the fix (never a bare errno), zod issue arrays become one line
 * per option as typed (`--steps: ...`), and internal names of the optics code become the CLI's.
 */

/** Internal identifiers that leak from lower layers, with what the user typed or can type instead. */
const USER_NAMES: readonly [RegExp, string][] = [
  [/\bfresnel-ir\b/g, "--method fresnel"],
  [/\blens-focus\b/g, "--method fraunhofer"],
  [/\boutputCoordinates_m spacing\b/g, "output sample pitch"],
  [/\boutputCoordinates_m\b/g, "output sample positions"],
];

/** `batchSize` -> `--batch-size`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** One line per zod issue, naming the option (or the field path when `asOptions` is false). */
export function zodIssueLines(issues: readonly ZodIssue[], asOptions = true): string[] {
  return issues.map((issue) => {
    const key = issue.path.map(String).join(".");
    const name = key ? (asOptions ? flagName(key) : key) : asOptions ? "options" : "(top level)";
    return `${name}: ${issue.message}`;
  });
}

interface SystemError extends Error {
  code?: string;
  path?: string;
  dest?: string;
  syscall?: string;
}

const ERRNO_TEXT: Record<string, (path: string) => string> = {
  EACCES: (p) => `${p}: permission denied; choose a location you can write to (or fix its permissions)`,
  EPERM: (p) => `${p}: the operating system does not allow this operation (permissions or a read-only file system); choose another location`,
  EISDIR: (p) => `${p} is a directory where a file was expected; give a file path`,
  ENOTDIR: (p) => `${p}: a part of this path is a file, not a directory; choose a path whose folders are folders`,
  EEXIST: (p) => `${p} already exists; choose another path`,
  ENOENT: (p) => `${p} does not exist; check the path`,
  ENOSPC: (p) => `${p}: the disk is full; free space or choose another location`,
  EROFS: (p) => `${p}: the file system is read-only; choose another location`,
  ENAMETOOLONG: (p) => `${p}: the path is too long; choose a shorter one`,
  EMFILE: (p) => `${p}: too many open files; close other programs and retry`,
};

/** A Node system error in words: what went wrong with which path, and what to do. */
export function describeSystemError(error: SystemError, path = error.dest ?? error.path ?? "a file"): string | null {
  const text = error.code ? ERRNO_TEXT[error.code] : undefined;
  return text ? text(path) : null;
}

/** Replaces errno fragments such as "EISDIR: illegal operation on a directory, open 'x'" inside a message. */
function rewriteEmbeddedErrno(message: string): string {
  return message.replace(/\b(E[A-Z]+): [^,()]*?, \w+ '([^']*)'(?: -> '([^']*)')?/g, (whole, code: string, path: string, dest?: string) => {
    return describeSystemError({ name: "Error", message: whole, code, path: dest ?? path }) ?? whole;
  });
}

/** The message the CLI prints for any thrown value (without the "optocnn:" prefix). */
export function formatError(error: unknown): string {
  // Options are checked by parseOptions; a ZodError reaching here is about settings of a file or preset.
  if (error instanceof ZodError) return `invalid settings:\n  ${zodIssueLines(error.issues, false).join("\n  ")}`;
  if (!(error instanceof Error)) return String(error);
  const system = error as SystemError;
  const described = system.code && /^E[A-Z]+:/.test(system.message) ? describeSystemError(system) : null;
  let message = described ?? error.message;
  if (error instanceof SyntaxError && /JSON/.test(message)) {
    message = `a file is not valid JSON (${message.replace(/ at position \d+.*$/, "")}); it may be truncated or edited by hand`;
  }
  message = rewriteEmbeddedErrno(message).replace(/ at position \d+( \(line \d+ column \d+\))?/g, "");
  for (const [pattern, name] of USER_NAMES) message = message.replace(pattern, name);
  return message;
}
