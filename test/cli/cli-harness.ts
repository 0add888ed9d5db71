import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Drives `node bin/optocnn.mjs` as a user would, in a given working directory. */
export const PROJECT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(PROJECT, "bin", "optocnn.mjs");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, OPTOCNN_QUIET: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/** Every file and folder under `dir` (hidden ones included) with a content hash: equal snapshots = nothing written or changed. */
export function snapshot(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  if (!existsSync(dir)) return entries;
  const walk = (folder: string, prefix: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      const key = prefix + name;
      if (statSync(path).isDirectory()) {
        entries.set(key + "/", "dir");
        walk(path, key + "/");
      } else entries.set(key, createHash("sha1").update(readFileSync(path)).digest("hex"));
    }
  };
  walk(dir, "");
  return entries;
}

/** Lines that differ between two snapshots ("+ added", "- removed", "~ changed"). */
export function snapshotChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [key, hash] of after) {
    if (!before.has(key)) changes.push(`+ ${key}`);
    else if (before.get(key) !== hash) changes.push(`~ ${key}`);
  }
  for (const key of before.keys()) if (!after.has(key)) changes.push(`- ${key}`);
  return changes;
}

/** Runs `work` over `items` with at most `limit` at a time (the CLI processes are the slow part). */
export async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}
