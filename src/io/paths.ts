import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

// Deliberately no `import.meta`: the tslab notebook kernel compiles src/ to CommonJS, where it breaks.
function isProjectRoot(dir: string): boolean {
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "optocnn";
  } catch {
    return false;
  }
}

function findRootFrom(start: string): string | null {
  let dir = resolve(start);
  for (;;) {
    if (isProjectRoot(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * The optocnn checkout root (package.json, notebooks/, data/, figures/): found upwards from the running
 * script (the CLI, a test file) or else from the working directory (the notebook kernel starts there).
 */
export const PROJECT_ROOT: string =
  (process.argv[1] ? findRootFrom(dirname(process.argv[1])) : null) ??
  findRootFrom(process.cwd()) ??
  (() => {
    throw new Error(`cannot find the optocnn project root above ${process.argv[1] ?? ""} or ${process.cwd()}`);
  })();

/** Resolves a dependency's file from the project's node_modules (works in ESM, CJS and tslab alike). */
export function resolveDependency(specifier: string): string {
  return createRequire(join(PROJECT_ROOT, "package.json")).resolve(specifier);
}
