import { existsSync } from "node:fs";
import { join } from "node:path";
import { readNpy } from "../io/npy.js";
import type { KernelBankShape } from "../optics/kernels.js";
import { OpticsBank } from "./optics-bank.js";
import { readDkoSummary, type DkoSummary } from "./summary.js";

/** A finished DKO result read back from its directory (the arrays src/dko/run.ts writes) with its bank. */
export interface DkoDesign {
  dir: string;
  summary: DkoSummary;
  bank: OpticsBank;
  shape: KernelBankShape;
  /** Metasurface parameters [B, N, N]. */
  params: Float32Array;
  /** Realised unit-sum PSF windows and their targets [B, M, M]. */
  psfs: Float32Array;
  psfTargets: Float32Array;
  /** Electronic scale per metasurface [B]. */
  scales: Float32Array;
  /** Signed kernels [k, k, in, out]: trained and realised. */
  targetKernels: Float32Array;
  realisedKernels: Float32Array;
  /**
   * The active metasurfaces' PSFs over their own sub-images [B, P, P] at `pitch_m`, as stage 2's sensor
   * formation computed them with the window model (SUB_IMAGE_PSFS_FILE); absent when it did not run or
   * used another propagation.
   */
  formedSubImages?: { pitch_m: number; subImagePixels: number; psfs: Float32Array };
}

/** Stage 2's sub-image PSFs (src/dko/run.ts writes it with the sensor formation). */
export const SUB_IMAGE_PSFS_FILE = "sub_image_psfs.npy";

function float32(dir: string, file: string, length: number): Float32Array {
  const array = readNpy(join(dir, file));
  if (!(array.data instanceof Float32Array) || array.data.length !== length) {
    throw new Error(`${join(dir, file)}: expected ${length} float32 values, got ${array.data.length} ${array.data.constructor.name}; rerun \`optocnn synthesize\``);
  }
  return array.data;
}

export function readDkoDesign(dir: string): DkoDesign {
  const summary = readDkoSummary(dir);
  const kernels = readNpy(join(dir, "target_kernels.npy"));
  const [kernelSize, , inChannels, outChannels] = kernels.shape;
  const shape = { kernelSize, inChannels, outChannels };
  const bank = new OpticsBank(summary.config.optics, shape);
  const B = bank.count;
  const N = summary.config.optics.cells;
  const M = bank.windowPixels;
  const kernelValues = kernelSize * kernelSize * inChannels * outChannels;
  return {
    dir,
    summary,
    bank,
    shape,
    params: float32(dir, "params.npy", B * N * N),
    psfs: float32(dir, "psfs.npy", B * M * M),
    psfTargets: float32(dir, "psf_targets.npy", B * M * M),
    scales: float32(dir, "scales.npy", B),
    targetKernels: float32(dir, "target_kernels.npy", kernelValues),
    realisedKernels: float32(dir, "realised_kernels.npy", kernelValues),
    formedSubImages: formedSubImages(dir, summary, B),
  };
}

function formedSubImages(dir: string, summary: DkoSummary, count: number): DkoDesign["formedSubImages"] {
  const sensor = summary.metrics.sensorArray;
  if (!sensor || sensor.propagation !== "window" || !existsSync(join(dir, SUB_IMAGE_PSFS_FILE))) return undefined;
  const { pitch_m, subImagePixels } = sensor;
  return { pitch_m, subImagePixels, psfs: float32(dir, SUB_IMAGE_PSFS_FILE, count * subImagePixels * subImagePixels) };
}

/** Sign, output and input channel of metasurface `index` (optics/kernels.ts order). */
export function metasurfaceRole(index: number, shape: KernelBankShape): { sign: 0 | 1; out: number; input: number } {
  const input = index % shape.inChannels;
  const rest = Math.floor(index / shape.inChannels);
  return { sign: rest >= shape.outChannels ? 1 : 0, out: rest % shape.outChannels, input };
}
