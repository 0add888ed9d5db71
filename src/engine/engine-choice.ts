/**
 * The one place that reads OPTOCNN_ENGINE: the tensor backend (backend.ts) and the complex compute of
 * the optics (complex/select.ts) both follow it.
 */

/** The tensor engines optocnn can run on, fastest first. */
export type EngineName = "node" | "native" | "wasm" | "cpu";

export const ENGINE_NAMES: readonly EngineName[] = ["node", "native", "wasm", "cpu"];

/** Reads OPTOCNN_ENGINE; undefined when unset. */
export function forcedEngine(value = process.env.OPTOCNN_ENGINE): EngineName | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const name = value.trim().toLowerCase();
  if (!(ENGINE_NAMES as readonly string[]).includes(name)) {
    throw new Error(
      `OPTOCNN_ENGINE='${value}' is not an engine; use one of ${ENGINE_NAMES.join(", ")} or unset it for automatic choice`,
    );
  }
  return name as EngineName;
}

/** Why the optics must not use the native addon (the wasm or cpu engine is forced), or null when it may. */
export function nativeComplexRefusal(): string | null {
  const engine = forcedEngine();
  return engine === "wasm" || engine === "cpu" ? `native: OPTOCNN_ENGINE=${engine} selects the TypeScript optics` : null;
}
