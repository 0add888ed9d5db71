import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineInfo } from "../engine/backend.js";
import { formatProfile, profileTrainStep, type KernelTime } from "./profile.js";
import { benchPsf, type PsfBenchResult } from "./psf.js";
import { STEPS_PER_TURN, timeInterleaved } from "./interleaved.js";
import { TorchPeer } from "./torch-peer.js";
import { timeTrainStep, type StepTiming } from "./train-step.js";
import type { DkoStepTiming } from "./dko-step.js";

export const BENCH_SIZES = [64, 128] as const;
export const BENCH_BATCH = 8;

export interface BenchOptions {
  steps: number;
  warmup: number;
  /** Also time plain wasm (in a child process with OPTOCNN_ENGINE=wasm) and PyTorch. */
  peers: boolean;
  psf: boolean;
  profile: boolean;
  /** Time DKO synthesis steps (paper and default presets) in a child process. */
  dko: boolean;
}

export interface UnetTimings {
  engine: string;
  backend: string;
  steps: Record<string, StepTiming>;
}

export interface DkoBenchFigures {
  /** One step of all 384 paper metasurfaces (1025 x 1025 cells), ms; its window products alone; GFLOP/s of both. */
  dkoPaperStepMs: number | null;
  dkoPaperWindowProductMs: number | null;
  dkoPaperGflopPerStep: number | null;
  dkoPaperStepGflops: number | null;
  dkoPaperWindowProductGflops: number | null;
  /** The rank of the window matrices' factors per wavelength, and the GFLOP per step the factored products do. */
  dkoPaperFactorRanks: Record<string, number> | null;
  dkoPaperFactoredGflopPerStep: number | null;
  /** The dense transform's compute floor measured in the same run (its tile products alone, their GFLOP/s) and the step over it. */
  dkoPaperFloorMs: number | null;
  dkoPaperTileProductGflops: number | null;
  dkoPaperStepOverFloor: number | null;
  /** Peak RSS of the child process that ran the paper bank (then the default one). */
  dkoPaperPeakRssMiB: number | null;
  /** One step of the default preset's 96 metasurfaces (513 x 513 cells), ms. */
  dkoDefaultStepMs: number | null;
  dko: { paper: DkoStepTiming; default: DkoStepTiming } | null;
}

export interface BenchReport extends PsfBenchResult, DkoBenchFigures {
  engine: string;
  backend: string;
  engineInfo: EngineInfo;
  /** Median ms of one U-Net training step (16-32-64, batch 8, Adam) at 64x64, and its GFLOP/s. */
  trainStepMs: number;
  gflops: number;
  trainStepMs64: number;
  trainStepMs128: number;
  gflops128: number;
  wasmStepMs64: number | null;
  wasmStepMs128: number | null;
  /** The faster of PyTorch's NCHW and channels_last steps. */
  torchStepMs64: number | null;
  torchStepMs128: number | null;
  torch: { nchw: Record<string, number>; channelsLast: Record<string, number>; version: string; threads: number } | null;
  /** Ours / torch: below 1 is faster than PyTorch CPU. */
  ratio64: number | null;
  ratio128: number | null;
  /** Whether our steps and PyTorch's were timed in alternating turns (of `stepsPerTurn`) in one process pair. */
  interleaved: boolean;
  stepsPerTurn: number | null;
  profile?: Record<string, KernelTime[]>;
  notes: string[];
  batch: number;
  stepsTimed: number;
  warmup: number;
  machine: { cpu: string; cores: number; node: string; platform: string };
  date: string;
}

/** U-Net step timings on the engine already initialised in this process. */
export async function timeUnet(engine: EngineInfo, steps: number, warmup: number): Promise<UnetTimings> {
  const timings: Record<string, StepTiming> = {};
  for (const size of BENCH_SIZES) timings[size] = await timeTrainStep({ size, batch: BENCH_BATCH, steps, warmup });
  return { engine: engine.engine, backend: engine.backend, steps: timings };
}

/** Runs `optocnn bench ARGS --out FILE` in a fresh process and reads FILE (`what` names it in a failure). */
function benchInChild<T>(what: string, args: string[], env: Record<string, string>): { ok: true; timings: T } | { ok: false; reason: string } {
  const dir = mkdtempSync(join(tmpdir(), "optocnn-bench-"));
  try {
    const out = join(dir, "child.json");
    const run = spawnSync(process.execPath, [...process.execArgv, process.argv[1], "bench", ...args, "--out", out], {
      env: { ...process.env, ...env, OPTOCNN_QUIET: "1" },
      encoding: "utf8",
      timeout: 60 * 60_000,
    });
    if (run.status !== 0) return { ok: false, reason: `${what} failed: ${(run.stderr || "").trim().split("\n").slice(-3).join(" | ")}` };
    return { ok: true, timings: JSON.parse(readFileSync(out, "utf8")) as T };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `optocnn bench --unet-only` under OPTOCNN_ENGINE=wasm (the kernels differ). */
function timePlainWasm(steps: number, warmup: number) {
  return benchInChild<UnetTimings>("plain wasm run", ["--unet-only", "--steps", String(steps), "--warmup", String(warmup)], { OPTOCNN_ENGINE: "wasm" });
}

/** `optocnn bench --dko-only`: in its own process so that its peak memory is the synthesis's own. */
function timeDkoInChild() {
  return benchInChild<{ paper: DkoStepTiming; default: DkoStepTiming }>("DKO step run", ["--dko-only"], {});
}

function round(value: number | null, digits = 1): number | null {
  return value === null ? null : Number(value.toFixed(digits));
}

function dkoFigures(timings: { paper: DkoStepTiming; default: DkoStepTiming } | null): DkoBenchFigures {
  const paper = timings?.paper;
  return {
    dkoPaperStepMs: round(paper?.stepMs ?? null, 0),
    dkoPaperWindowProductMs: round(paper?.windowProductMs ?? null, 0),
    dkoPaperGflopPerStep: round(paper?.gflopPerStep ?? null),
    dkoPaperStepGflops: round(paper?.stepGflops ?? null),
    dkoPaperWindowProductGflops: round(paper?.windowProductGflops ?? null),
    dkoPaperFactorRanks: paper?.factorRanks ?? null,
    dkoPaperFactoredGflopPerStep: round(paper?.factoredGflopPerStep ?? null),
    dkoPaperFloorMs: round(paper?.floorMs ?? null, 0),
    dkoPaperTileProductGflops: round(paper?.tileProductGflops ?? null),
    dkoPaperStepOverFloor: round(paper?.stepOverFloor ?? null, 2),
    dkoPaperPeakRssMiB: round(paper?.peakRssMiB ?? null, 0),
    dkoDefaultStepMs: round(timings?.default.stepMs ?? null, 0),
    dko: timings,
  };
}

type TorchFigures = NonNullable<BenchReport["torch"]>;

/** Our steps alternating with PyTorch's (see interleaved.ts), per bench size. */
async function timeAgainstTorch(peer: TorchPeer, options: BenchOptions): Promise<{ ours: Record<string, StepTiming>; torch: Pick<TorchFigures, "nchw" | "channelsLast"> }> {
  const ours: Record<string, StepTiming> = {};
  const torch: Pick<TorchFigures, "nchw" | "channelsLast"> = { nchw: {}, channelsLast: {} };
  for (const size of BENCH_SIZES) {
    const timing = await timeInterleaved(peer, size, BENCH_BATCH, options.steps, options.warmup);
    ours[size] = timing.ours;
    torch.nchw[size] = round(timing.torch.nchw.medianMs)!;
    torch.channelsLast[size] = round(timing.torch.channelsLast.medianMs)!;
  }
  return { ours, torch };
}

export async function runBench(engine: EngineInfo, options: BenchOptions, log: (line: string) => void): Promise<BenchReport> {
  const notes: string[] = [];
  const perSize = `batch ${BENCH_BATCH}, ${options.warmup} warm-up + ${options.steps} timed steps per size`;
  let ours: Record<string, StepTiming> | null = null;
  let torch: BenchReport["torch"] = null;
  const started = options.peers ? await TorchPeer.start(BENCH_BATCH) : null;
  if (started !== null && "peer" in started) {
    log(`U-Net step on ${engine.engine} and on PyTorch CPU (channels_last, NCHW), alternating every ${STEPS_PER_TURN} steps (${perSize})...`);
    try {
      const timed = await timeAgainstTorch(started.peer, options);
      ours = timed.ours;
      torch = { ...timed.torch, version: started.torchVersion, threads: started.threads };
    } catch (error) {
      // A failing peer costs the comparison, not our own figures.
      notes.push((error as Error).message);
    } finally {
      started.peer.close();
    }
  } else if (started !== null && "reason" in started) {
    notes.push(started.reason);
  }
  if (ours === null) {
    log(`U-Net step on ${engine.engine} (${perSize})...`);
    ours = (await timeUnet(engine, options.steps, options.warmup)).steps;
  }
  const ms64 = ours[64].medianMs;
  const ms128 = ours[128].medianMs;

  let wasm64: number | null = null;
  let wasm128: number | null = null;
  if (options.peers) {
    if (engine.engine === "wasm") {
      [wasm64, wasm128] = [ms64, ms128];
    } else {
      log("U-Net step on plain wasm (child process)...");
      const wasm = timePlainWasm(options.steps, options.warmup);
      if ("reason" in wasm) notes.push(wasm.reason);
      else [wasm64, wasm128] = [wasm.timings.steps[64].medianMs, wasm.timings.steps[128].medianMs];
    }
  }

  const torchBest = (size: number) => (torch ? Math.min(torch.nchw[size], torch.channelsLast[size]) : null);
  const torch64 = torchBest(64);
  const torch128 = torchBest(128);

  let psf: PsfBenchResult = { psfGradMs256: null, psfGradBatch96Ms: null, psfMethod: null };
  if (options.psf) {
    log("PSF + gradient, 256x256 metasurfaces, 2x padding, batch 1 and 96...");
    psf = await benchPsf();
    if (psf.psfNote) notes.push(psf.psfNote);
  }

  let dko: { paper: DkoStepTiming; default: DkoStepTiming } | null = null;
  if (options.dko) {
    log("DKO synthesis steps: paper bank (384 x 1025^2 cells) and default bank (96 x 513^2), child process...");
    const run = timeDkoInChild();
    if ("reason" in run) notes.push(run.reason);
    else dko = run.timings;
  }

  let profile: Record<string, KernelTime[]> | undefined;
  if (options.profile) {
    profile = {};
    for (const size of BENCH_SIZES) {
      profile[size] = await profileTrainStep(size, BENCH_BATCH);
      log(`\nTop kernels of one training step at ${size}x${size} on ${engine.engine} (tf.profile):\n${formatProfile(profile[size])}`);
    }
  }

  return {
    engine: engine.engine,
    backend: engine.backend,
    engineInfo: engine,
    trainStepMs: round(ms64)!,
    gflops: round(ours[64].gflops)!,
    trainStepMs64: round(ms64)!,
    trainStepMs128: round(ms128)!,
    gflops128: round(ours[128].gflops)!,
    wasmStepMs64: round(wasm64),
    wasmStepMs128: round(wasm128),
    torchStepMs64: round(torch64),
    torchStepMs128: round(torch128),
    torch,
    ratio64: torch64 ? round(ms64 / torch64, 3) : null,
    ratio128: torch128 ? round(ms128 / torch128, 3) : null,
    interleaved: torch !== null,
    stepsPerTurn: torch !== null ? STEPS_PER_TURN : null,
    psfGradMs256: round(psf.psfGradMs256),
    psfGradBatch96Ms: round(psf.psfGradBatch96Ms),
    psfMethod: psf.psfMethod,
    ...dkoFigures(dko),
    ...(profile ? { profile } : {}),
    notes,
    batch: BENCH_BATCH,
    stepsTimed: options.steps,
    warmup: options.warmup,
    machine: { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
    date: new Date().toISOString(),
  };
}
