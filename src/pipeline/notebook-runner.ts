import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";

export interface NotebookResult {
  notebook: string;
  html: string;
  ok: boolean;
  seconds: number;
  /** Tail of nbconvert's output when the notebook failed (the failing cell's error is in it). */
  error?: string;
}

/** Why notebooks cannot run here, or null when Jupyter's nbconvert is available. */
export function jupyterMissingReason(): string | null {
  const probe = spawnSync("jupyter", ["nbconvert", "--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    return "jupyter nbconvert is not installed (Debian/Ubuntu: apt-get install jupyter-nbconvert jupyter-client)";
  }
  return null;
}

/** Notebooks under `dir` in their numbered order. */
export function listNotebooks(dir: string, only?: string): string[] {
  if (!existsSync(dir)) throw new Error(`notebook folder ${dir} does not exist`);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb") && !f.startsWith("."))
    .filter((f) => !only || f.includes(only))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Executes one notebook headless with the project's tslab kernel and exports it as HTML to `outDir`.
 * The kernel starts at the project root, so notebooks import `./src/...` and write `figures/...`.
 */
export function runNotebook(notebook: string, options: { root: string; outDir: string; timeoutSeconds: number; env?: NodeJS.ProcessEnv }): Promise<NotebookResult> {
  const started = Date.now();
  const stem = basename(notebook, ".ipynb");
  const args = [
    "nbconvert",
    "--to", "html",
    "--execute",
    `--ExecutePreprocessor.timeout=${options.timeoutSeconds}`,
    "--ExecutePreprocessor.kernel_name=tslab",
    "--output-dir", resolve(options.outDir),
    "--output", stem,
    resolve(notebook),
  ];
  const env = { ...process.env, ...options.env, JUPYTER_PATH: join(resolve(options.root), ".jupyter") };
  return new Promise((done) => {
    const child = spawn("jupyter", args, { cwd: options.root, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("close", (code) => {
      const result: NotebookResult = {
        notebook,
        html: join(options.outDir, `${stem}.html`),
        ok: code === 0,
        seconds: (Date.now() - started) / 1000,
      };
      if (code !== 0) result.error = output.split("\n").slice(-40).join("\n");
      done(result);
    });
  });
}
