import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { ENGINE_NAMES, forcedEngine, type EngineName } from "./engine-choice.js";
import { registerWasmKernels } from "./wasm-kernels/index.js";

export { ENGINE_NAMES, forcedEngine, type EngineName };

export interface EngineInfo {
  /** Engine in use; recorded in every run's outputs. */
  engine: EngineName;
  /** tfjs backend name (`tensorflow`, `wasm`, `cpu`). */
  backend: string;
  /** Why faster engines were not used, one line each. */
  fallbacks: string[];
  /** True when OPTOCNN_ENGINE chose the engine. */
  forced: boolean;
  /** Whether the wasm backend runs its SIMD build (null when wasm is not in use). */
  simd: boolean | null;
  /** Threads the wasm backend computes on (1 in Node: its threaded build does not run there); null without wasm. */
  threads: number | null;
  /** optocnn's own kernels registered on the wasm backend. */
  wasmKernels: string[];
  /** Kernels the native oneDNN addon registered over the wasm ones. */
  nativeKernels: string[];
}

type NativeRegistration = { ok: true; kernels: string[] } | { ok: false; reason: string };

interface NativeRegisterModule {
  registerNativeKernels(): NativeRegistration;
}

let selection: Promise<EngineInfo> | null = null;
let current: EngineInfo | null = null;

/**
 * Selects and initialises the tensor backend once per process: tfjs-node if installed, else wasm with
 * the native oneDNN kernels, else plain wasm, else (loudly) the pure-JS cpu backend.
 * OPTOCNN_ENGINE=node|native|wasm|cpu forces one; OPTOCNN_QUIET=1 silences the choice line.
 */
export function initEngine(): Promise<EngineInfo> {
  selection ??= selectEngine().then((info) => {
    current = info;
    return info;
  });
  return selection;
}

/** The engine chosen by initEngine, or null before it finished. */
export function engineInfo(): EngineInfo | null {
  return current;
}

async function selectEngine(): Promise<EngineInfo> {
  const forced = forcedEngine();
  const fallbacks: string[] = [];
  const candidates = forced ? [forced] : ENGINE_NAMES;
  for (const engine of candidates) {
    const outcome = await tryEngine(engine);
    if ("info" in outcome) {
      const info: EngineInfo = { ...outcome.info, fallbacks: [...fallbacks, ...outcome.info.fallbacks], forced: !!forced };
      announce(info);
      return info;
    }
    if (forced) {
      throw new Error(`OPTOCNN_ENGINE=${forced} cannot be used: ${outcome.reason}. ${FIXES[forced]}`);
    }
    fallbacks.push(`${engine}: ${outcome.reason}`);
  }
  throw new Error(`no tensor engine could start: ${fallbacks.join("; ")}`);
}

const FIXES: Record<EngineName, string> = {
  node: "Install @tensorflow/tfjs-node (needs internet for libtensorflow) or set OPTOCNN_ENGINE=native|wasm.",
  native: "Build the addon with `npm run build:native` (needs libdnnl-dev) or set OPTOCNN_ENGINE=wasm.",
  wasm: "Reinstall @tensorflow/tfjs-backend-wasm (`npm ci`) or set OPTOCNN_ENGINE=cpu for tiny runs.",
  cpu: "Reinstall @tensorflow/tfjs (`npm ci`).",
};

type Outcome = { info: Omit<EngineInfo, "forced"> } | { reason: string };

async function tryEngine(engine: EngineName): Promise<Outcome> {
  switch (engine) {
    case "node":
      return tryNode();
    case "native":
      return tryNative();
    case "wasm":
      return tryWasm();
    case "cpu":
      return tryCpu();
  }
}

async function tryNode(): Promise<Outcome> {
  // A non-literal specifier: tfjs-node is an optional dependency that is usually absent.
  const specifier = "@tensorflow/tfjs-node";
  try {
    await import(specifier);
  } catch (error) {
    return { reason: `@tensorflow/tfjs-node not loadable (${firstLine(error)})` };
  }
  if (!(await setBackendQuietly("tensorflow"))) return { reason: "tfjs-node loaded but its 'tensorflow' backend did not start" };
  return { info: { engine: "node", backend: "tensorflow", fallbacks: [], simd: null, threads: null, wasmKernels: [], nativeKernels: [] } };
}

let wasmStart: Promise<{ ok: true; wasmKernels: string[] } | { ok: false; reason: string }> | null = null;

/** Starts the wasm backend with optocnn's kernels (once; shared by the native and wasm engines). */
function startWasm() {
  wasmStart ??= (async () => {
    try {
      await import("@tensorflow/tfjs-backend-wasm");
    } catch (error) {
      return { ok: false as const, reason: `@tensorflow/tfjs-backend-wasm not loadable (${firstLine(error)})` };
    }
    if (!(await setBackendQuietly("wasm"))) return { ok: false as const, reason: "the wasm backend did not start" };
    return { ok: true as const, wasmKernels: registerWasmKernels() };
  })();
  return wasmStart;
}

async function wasmFeatures(): Promise<{ simd: boolean; threads: number }> {
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;
  const threads = (tf.backend() as BackendWasm).wasm.tfjs.getThreadsCount();
  return { simd, threads };
}

async function tryNative(): Promise<Outcome> {
  const wasm = await startWasm();
  if ("reason" in wasm) return { reason: wasm.reason };
  const registration = await registerNative();
  if ("reason" in registration) return { reason: `native kernels unavailable: ${registration.reason}` };
  return {
    info: {
      engine: "native",
      backend: "wasm",
      fallbacks: [],
      ...(await wasmFeatures()),
      wasmKernels: wasm.wasmKernels,
      nativeKernels: registration.kernels,
    },
  };
}

async function registerNative(): Promise<NativeRegistration> {
  // A literal specifier: the notebook kernel (tslab) can only resolve literal .js -> .ts imports.
  // The module itself always loads; an unbuilt addon is reported by registerNativeKernels().
  try {
    const module: NativeRegisterModule = await import("./native/register.js");
    return module.registerNativeKernels();
  } catch (error) {
    return { ok: false, reason: firstLine(error) };
  }
}

async function tryWasm(): Promise<Outcome> {
  const wasm = await startWasm();
  if ("reason" in wasm) return { reason: wasm.reason };
  return {
    info: { engine: "wasm", backend: "wasm", fallbacks: [], ...(await wasmFeatures()), wasmKernels: wasm.wasmKernels, nativeKernels: [] },
  };
}

async function tryCpu(): Promise<Outcome> {
  if (!(await setBackendQuietly("cpu"))) return { reason: "the cpu backend did not start" };
  return { info: { engine: "cpu", backend: "cpu", fallbacks: [], simd: null, threads: null, wasmKernels: [], nativeKernels: [] } };
}

/** tf.setBackend, but a backend that throws while starting counts as unavailable. */
async function setBackendQuietly(name: string): Promise<boolean> {
  try {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

function announce(info: EngineInfo): void {
  if (info.engine === "cpu" && !info.forced) {
    // Not silenced by OPTOCNN_QUIET: training on cpu is ~170x slower than wasm.
    console.warn(
      "optocnn: WARNING: no fast engine could start, running on the pure-JS cpu backend (~170x slower than wasm; do not train on it).\n" +
        info.fallbacks.map((line) => `optocnn:   ${line}`).join("\n"),
    );
    return;
  }
  if (process.env.OPTOCNN_QUIET === "1") return;
  console.error(`optocnn: engine ${describe(info)}`);
}

function describe(info: EngineInfo): string {
  const forced = info.forced ? ", forced by OPTOCNN_ENGINE" : "";
  switch (info.engine) {
    case "node":
      return `node (tfjs-node${forced})`;
    case "native":
      return `native (wasm + ${info.nativeKernels.length} oneDNN kernels${forced})`;
    case "wasm": {
      const nativeReason = info.fallbacks.find((line) => line.startsWith("native: "));
      return `wasm (${info.simd ? "SIMD" : "no SIMD"}, ${info.threads} thread${info.threads === 1 ? "" : "s"}${forced})` +
        (nativeReason ? `; ${nativeReason.slice("native: ".length)}` : "");
    }
    case "cpu":
      return `cpu (pure JS, ~170x slower than wasm${forced})`;
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0];
}
