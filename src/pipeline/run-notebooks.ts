import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { jupyterMissingReason, listNotebooks, runNotebook } from "./notebook-runner.js";
import { PROJECT_ROOT } from "../io/paths.js";

/**
 * Runs the numbered notebooks (default: the project's notebooks/, HTML into figures/) in order, stopping
 * at the first failure; returns whether all passed, the notebooks run and where their exports went.
 */
export async function runNotebooks(options: { dir?: string; out?: string; timeout: number; only?: string; preset: string }): Promise<{ ok: boolean; notebooks: string[]; out: string }> {
  const missing = jupyterMissingReason();
  if (missing) throw new Error(missing);
  const dir = options.dir ?? join(PROJECT_ROOT, "notebooks");
  const out = options.out ?? join(PROJECT_ROOT, "figures");
  const notebooks = listNotebooks(dir, options.only);
  if (notebooks.length === 0) throw new Error(`no notebooks match in ${dir}`);
  mkdirSync(out, { recursive: true });
  for (const notebook of notebooks) {
    process.stderr.write(`optocnn: running ${notebook} (preset ${options.preset}) ... `);
    const result = await runNotebook(notebook, {
      root: PROJECT_ROOT,
      outDir: out,
      timeoutSeconds: options.timeout,
      env: { OPTOCNN_PRESET: options.preset },
    });
    if (!result.ok) {
      process.stderr.write(`FAILED after ${result.seconds.toFixed(1)} s\n${result.error}\n`);
      return { ok: false, notebooks, out };
    }
    process.stderr.write(`ok in ${result.seconds.toFixed(1)} s -> ${result.html}\n`);
  }
  return { ok: true, notebooks, out };
}
