import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { PROJECT_ROOT, resolveDependency } from "../io/paths.js";

/**
 * The code cells of a notebook as one TypeScript module, in cell order, with the kernel's root-relative
 * imports ("./src/...") rewritten relative to `fromDir`, so tsc can check notebook code the way the
 * tslab kernel compiles it.
 */
export function notebookModule(notebookPath: string, fromDir: string): string {
  const notebook = JSON.parse(readFileSync(notebookPath, "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
  const prefix = relative(fromDir, PROJECT_ROOT).split("\\").join("/") || ".";
  const cells = notebook.cells
    .filter((cell) => cell.cell_type === "code")
    .map((cell, i) => `// cell ${i + 1}\n${Array.isArray(cell.source) ? cell.source.join("") : cell.source}`);
  return `${cells.join("\n\n").replace(/(["'])\.\/src\//g, `$1${prefix}/src/`)}\nexport {};\n`;
}

/**
 * Type-checks the code of every notebook with the options tslab compiles with (tsconfig.tslab.json,
 * plus top-level await); returns tsc's exit status and output, with paths naming the notebooks.
 */
export function typecheckNotebooks(notebooks: string[]): { status: number | null; output: string } {
  const dir = join(PROJECT_ROOT, ".scratch", "notebook-code");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = notebooks.map((path) => {
    const file = join(dir, `${basename(path, ".ipynb")}.ts`);
    writeFileSync(file, notebookModule(path, dir));
    return file;
  });
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ extends: relative(dir, join(PROJECT_ROOT, "tsconfig.tslab.json")), include: files.map((f) => basename(f)), compilerOptions: { module: "ESNext", target: "ES2022" } }),
  );
  const tsc = join(resolveDependency("typescript/package.json"), "..", "bin", "tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], { cwd: PROJECT_ROOT, encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
