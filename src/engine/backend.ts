import * as tf from "@tensorflow/tfjs";

/** The tensor engines optocnn can run on, fastest first. */
export type EngineName = "node" | "native" | "wasm" | "cpu";

export interface EngineInfo {
  /** Engine in use; recorded in every run's outputs. */
  engine: EngineName;
  /** tfjs backend name (`tensorflow`, `wasm`, `cpu`). */
  backend: string;
  /** Why faster engines were not used, one line each. */
  fallbacks: string[];
}

let current: EngineInfo | null = null;

/**
 * Selects and initialises the tensor backend once per process.
 * Preliminary version: wasm, else cpu with a warning (extended by the engine issue).
 */
export async function initEngine(): Promise<EngineInfo> {
  if (current) return current;
  const fallbacks: string[] = [];
  try {
    await import("@tensorflow/tfjs-backend-wasm");
    if (await tf.setBackend("wasm")) {
      await tf.ready();
      current = { engine: "wasm", backend: "wasm", fallbacks };
      return current;
    }
    fallbacks.push("wasm: setBackend returned false");
  } catch (error) {
    fallbacks.push(`wasm: ${(error as Error).message}`);
  }
  console.warn("optocnn: WARNING: running on the pure-JS cpu backend, ~170x slower than wasm; do not train on it");
  await tf.setBackend("cpu");
  current = { engine: "cpu", backend: "cpu", fallbacks };
  return current;
}

/** The engine chosen by initEngine, or null before it ran. */
export function engineInfo(): EngineInfo | null {
  return current;
}
