import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { writeJsonAtomic } from "../io/atomic.js";
import { readNpy, writeNpy } from "../io/npy.js";

/**
 * Weights directory format "optocnn-weights/1", readable without tfjs (numpy: np.load per file):
 *   manifest.json  {"format": "optocnn-weights/1", "tensors": [{"name", "file", "shape", "dtype": "float32"}]}
 *   <name>.npy     one float32 C-order array per tensor (kernels in tfjs HWIO layout [kh, kw, in, out])
 * The directory is written under a temporary name and renamed into place, so it is complete or absent.
 */
export const WEIGHTS_FORMAT = "optocnn-weights/1";

interface WeightsManifest {
  format: string;
  tensors: { name: string; file: string; shape: number[]; dtype: "float32" }[];
}

function fileNameOf(name: string): string {
  if (!/^[A-Za-z0-9_.\-/]+$/.test(name)) throw new Error(`weight name "${name}" may only hold letters, digits, _ . - /`);
  return `${name.replaceAll("/", "__")}.npy`;
}

/** Writes named tensors to `dir`, replacing an existing directory only once the new one is complete. */
export function saveTensors(dir: string, tensors: ReadonlyMap<string, tf.Tensor>): void {
  const partial = join(dirname(dir), `.${basename(dir)}.partial-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const manifest: WeightsManifest = { format: WEIGHTS_FORMAT, tensors: [] };
  for (const [name, tensor] of tensors) {
    const file = fileNameOf(name);
    writeNpy(join(partial, file), { data: tensor.dataSync() as Float32Array, shape: tensor.shape });
    manifest.tensors.push({ name, file, shape: tensor.shape, dtype: "float32" });
  }
  writeJsonAtomic(join(partial, "manifest.json"), manifest);
  const old = join(dirname(dir), `.${basename(dir)}.old-${process.pid}`);
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(partial, dir);
  rmSync(old, { recursive: true, force: true });
}

/** Reads a weights directory into tensors by name (the caller owns and disposes them). */
export function loadTensors(dir: string): Map<string, tf.Tensor> {
  const manifestPath = join(dir, "manifest.json");
  if (!existsSync(manifestPath)) throw new Error(`${dir}: not a weights directory (no manifest.json)`);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as WeightsManifest;
  if (manifest.format !== WEIGHTS_FORMAT) throw new Error(`${manifestPath}: format "${manifest.format}", expected "${WEIGHTS_FORMAT}"`);
  const out = new Map<string, tf.Tensor>();
  for (const entry of manifest.tensors) {
    const array = readNpy(join(dir, entry.file));
    if (!(array.data instanceof Float32Array)) throw new Error(`${join(dir, entry.file)}: expected float32`);
    out.set(entry.name, tf.tensor(array.data, array.shape));
  }
  return out;
}

/**
 * Assigns saved values to variables by name. Every variable must be present with the same shape
 * (a mismatch names the tensor); extra saved tensors are an error too unless `allowExtra`.
 */
export function assignTensors(
  variables: ReadonlyMap<string, tf.Variable>,
  saved: ReadonlyMap<string, tf.Tensor>,
  source: string,
  options: { allowExtra?: boolean } = {},
): void {
  for (const [name, variable] of variables) {
    const value = saved.get(name);
    if (!value) throw new Error(`${source}: no saved tensor "${name}" (was it written by a different architecture?)`);
    if (value.shape.join(",") !== variable.shape.join(",")) {
      throw new Error(`${source}: "${name}" has shape [${value.shape.join(", ")}], the network expects [${variable.shape.join(", ")}]`);
    }
    variable.assign(value);
  }
  if (!options.allowExtra) {
    const extra = [...saved.keys()].filter((name) => !variables.has(name));
    if (extra.length > 0) throw new Error(`${source}: tensors not in the network: ${extra.join(", ")}`);
  }
}
