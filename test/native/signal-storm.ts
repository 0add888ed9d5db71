// A child process for signals.test.ts: runs the default preset's window transform (oneDNN sgemm inside
// OpenMP) over and over while a worker thread sends this process SIGUSR2 as fast as it can, and prints
// how many calls ran, how many signals reached JavaScript and the largest difference from the first
// call's window. It exits non-zero (or glibc aborts it) if the heap or a result is corrupted.
import { Worker } from "node:worker_threads";
import { initComplexOps } from "../../src/engine/complex/select.js";
import { OpticsBank } from "../../src/dko/optics-bank.js";
import type { FresnelWindowOperator } from "../../src/optics/fresnel-window.js";
import { presetDkoConfig } from "../../src/pipeline/preset-configs.js";

const seconds = Number(process.argv[2] ?? 3);
const { ops } = await initComplexOps();
if (ops.name !== "native") throw new Error(`signal storm: needs the native engine, got ${ops.name}`);
const bank = new OpticsBank(presetDkoConfig("default").optics, { kernelSize: 7, inChannels: 3, outChannels: 16 });
const chunk = bank.chunks()[0].slice(0, 8);
const operator = bank.model("unit-sum", bank.metasurface, chunk).operator as FresnelWindowOperator;
const transform = operator.phaseInput(null);
const N = bank.optics.cells;
const phase = Float32Array.from({ length: chunk.length * N * N }, (_, i) => ((i * 7919) % 6283) / 1000);

let handled = 0;
process.on("SIGUSR2", () => handled++);
const sender = new Worker(
  `const { workerData } = require("node:worker_threads");
   const end = Date.now() + workerData.ms;
   while (Date.now() < end) process.kill(workerData.pid, "SIGUSR2");`,
  { eval: true, workerData: { pid: process.pid, ms: seconds * 1000 } },
);
const senderDone = new Promise((resolve) => sender.on("exit", resolve));

const first = transform.forward(phase);
let calls = 0;
let maxDifference = 0;
const end = Date.now() + seconds * 1000;
while (Date.now() < end) {
  const window = transform.forward(phase);
  for (let i = 0; i < window.re.length; i++) {
    maxDifference = Math.max(maxDifference, Math.abs(window.re[i] - first.re[i]), Math.abs(window.im[i] - first.im[i]));
  }
  calls++;
  // Lets the SIGUSR2 callbacks run now and then, so the parent can tell signals were arriving.
  if (calls % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
}
await senderDone;
await new Promise((resolve) => setImmediate(resolve));
console.log(JSON.stringify({ calls, handled, maxDifference }));
