// Builds the optional oneDNN/FFT addon at install time. A failed build never fails `npm install`:
// the engine then falls back to wasm and says why once at run time.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nativeDir = join(root, "src", "engine", "native");
const statusFile = join(nativeDir, "build", "status.txt");

function record(message) {
  mkdirSync(dirname(statusFile), { recursive: true });
  writeFileSync(statusFile, message + "\n");
}

if (process.env.OPTOCNN_SKIP_NATIVE === "1") {
  record("skipped: OPTOCNN_SKIP_NATIVE=1");
  process.exit(0);
}
if (!existsSync(join(nativeDir, "binding.gyp"))) {
  record("skipped: no binding.gyp");
  process.exit(0);
}
const prefix = join(dirname(process.execPath), "..");
const nodeGyp = join(prefix, "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
// Node's own headers (Debian's nodejs puts them in /usr/include/node): node-gyp must not download any.
const gypArgs = ["rebuild"];
if (existsSync(join(prefix, "include", "node", "node_api.h"))) gypArgs.push(`--nodedir=${prefix}`);
const missing = ["/usr/include/oneapi/dnnl/dnnl.hpp", "/usr/include/kissfft/kiss_fft.h"].filter((f) => !existsSync(f));
if (missing.length > 0) {
  const message = `skipped: missing ${missing.join(", ")} (apt-get install libdnnl-dev libkissfft-dev)`;
  record(message);
  console.warn(`optocnn: native addon not built, ${message}; the wasm engine will be used`);
  process.exit(0);
}
const result = existsSync(nodeGyp)
  ? spawnSync(process.execPath, [nodeGyp, ...gypArgs], { cwd: nativeDir, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" })
  : spawnSync("node-gyp", gypArgs, { cwd: nativeDir, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", shell: true });
if (result.status === 0) {
  record("built");
  console.log("optocnn: native oneDNN/FFT addon built");
} else {
  const tail = `${result.stdout ?? ""}\n${result.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n");
  record(`failed:\n${tail}`);
  console.warn(
    "optocnn: the native addon did not build; the wasm engine will be used.\n" +
      "  To get native speed on Debian/Ubuntu: apt-get install libdnnl-dev libkissfft-dev g++ make, then npm run build:native\n" +
      tail.split("\n").slice(-5).map((l) => "  " + l).join("\n"),
  );
}
process.exit(0);
