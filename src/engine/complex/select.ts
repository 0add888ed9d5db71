import type { ComplexOps } from "./complex-ops.js";
import { jsComplexOps } from "./complex-ops-js.js";
import { nativeComplexRefusal } from "../engine-choice.js";

/**
 * Chooses the ComplexOps implementation once per process: the native addon when it loads, unless
 * OPTOCNN_ENGINE is "wasm" or "cpu" (pure TypeScript then). Call `await initComplexOps()` at startup;
 * `getComplexOps()` is the synchronous getter the optics code uses afterwards.
 */

export interface ComplexOpsSelection {
  ops: ComplexOps;
  /** Why the native implementation is not in use (empty when it is). */
  fallbacks: string[];
}

let selection: ComplexOpsSelection | null = null;

/** Loads the native implementation if present; its module may not exist in every checkout. */
async function loadNative(): Promise<ComplexOps | string> {
  // A literal specifier: the notebook kernel (tslab) can only resolve literal .js -> .ts imports.
  try {
    const module: { nativeComplexOps?: () => ComplexOps | null } = await import("../native/complex-ops-native.js");
    if (typeof module.nativeComplexOps !== "function") return "native: module has no nativeComplexOps()";
    const native = module.nativeComplexOps();
    return native ?? "native: addon not built or not loadable (nativeComplexOps() returned null)";
  } catch (error) {
    return `native: ${(error as Error).message.split("\n")[0]}`;
  }
}

export async function initComplexOps(): Promise<ComplexOpsSelection> {
  if (selection) return selection;
  const fallbacks: string[] = [];
  const refusal = nativeComplexRefusal();
  if (refusal) {
    fallbacks.push(refusal);
  } else {
    const native = await loadNative();
    if (typeof native !== "string") {
      selection = { ops: native, fallbacks };
      return selection;
    }
    fallbacks.push(native);
  }
  selection = { ops: jsComplexOps(), fallbacks };
  return selection;
}

/** The selected implementation; TypeScript if initComplexOps() has not run (then that choice sticks). */
export function getComplexOps(): ComplexOps {
  if (!selection) selection = { ops: jsComplexOps(), fallbacks: ["native: initComplexOps() was not awaited before use"] };
  return selection.ops;
}

/** The current selection (null before first use), for run records. */
export function complexOpsInfo(): { name: string; fallbacks: string[] } | null {
  return selection ? { name: selection.ops.name, fallbacks: selection.fallbacks } : null;
}
