import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { join, resolve } from "node:path";

/** Why a notebook server cannot start here, or null when Jupyter's classic notebook server is installed. */
export function labMissingReason(): string | null {
  const probe = spawnSync("jupyter", ["notebook", "--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) return "Jupyter's notebook server is not installed (Debian/Ubuntu: apt-get install jupyter-notebook; `npm run lab` does it as root)";
  return null;
}

/** A free TCP port on 127.0.0.1 (the OS picks one). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? done(address.port) : fail(new Error("no port assigned"))));
    });
  });
}

export interface Lab {
  /** Address to open in a browser (carries the access token). */
  url: string;
  base: string;
  token: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a notebook server on the project's notebooks/ with the project's kernel ("TypeScript (optocnn)",
 * found through JUPYTER_PATH=<root>/.jupyter), bound to 127.0.0.1 only, with a fresh random token; resolves
 * once the server answers.
 */
export async function startLab(options: { root: string; port?: number; env?: NodeJS.ProcessEnv; timeoutSeconds?: number; log?: (chunk: string) => void }): Promise<Lab> {
  const missing = labMissingReason();
  if (missing) throw new Error(missing);
  const root = resolve(options.root);
  const port = options.port ?? (await freePort());
  const token = randomBytes(24).toString("hex");
  const args = ["notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", `--NotebookApp.token=${token}`, `--notebook-dir=${join(root, "notebooks")}`];
  // Containers and CI run as root; the server refuses that unless told (it still binds 127.0.0.1 only).
  if (process.getuid?.() === 0) args.push("--allow-root");
  const child = spawn(
    "jupyter",
    args,
    { cwd: root, env: { ...process.env, ...options.env, JUPYTER_PATH: join(root, ".jupyter") }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
    options.log?.(chunk.toString());
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutSeconds ?? 60) * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the notebook server exited (code ${child.exitCode}):\n${output}`);
    try {
      const response = await fetch(`${base}/api/kernelspecs?token=${token}`);
      if (response.ok) {
        const specs = (await response.json()) as { kernelspecs: Record<string, unknown> };
        if (!("tslab" in specs.kernelspecs)) {
          await stop();
          throw new Error(`the notebook server does not see the project's tslab kernel (kernels: ${Object.keys(specs.kernelspecs).join(", ")}); is ${join(root, ".jupyter", "kernels", "tslab")} there?`);
        }
        return { url: `${base}/tree?token=${token}`, base, token, process: child, stop };
      }
    } catch (error) {
      if ((error as Error).message.includes("tslab kernel")) throw error;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop();
  throw new Error(`the notebook server did not answer on ${base} within ${options.timeoutSeconds ?? 60} s:\n${output}`);
}
