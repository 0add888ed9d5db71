import { totalmem } from "node:os";
import type { PsfModel } from "./psf-model.js";

/**
 * Physical-validity checks around a full-field PSF model (zero-padded FFT propagation): a memory bound on
 * the padded grid before anything is allocated, and a convergence measure of the padding. Light that the
 * propagation sends beyond the padded window wraps around into the central window (circular convolution),
 * so a converged PSF does not change when the padding doubles; the L1 distance of the unit-sum PSFs at
 * padding P and 2P measures the wrapped light directly.
 */

/** Bytes per padded sample and batch item: planar complex float32 (8 bytes) for the transfer function, the field and an FFT workspace, doubled for the runtime's copies. */
const BYTES_PER_PADDED_SAMPLE = 2 * 3 * 8;

/** Estimated bytes of a full-field model over a padded grid of (cells * padding)^2 samples for `batch` maps. */
export function paddedGridBytes(batch: number, cells: number, padding: number): number {
  const side = cells * padding;
  return BYTES_PER_PADDED_SAMPLE * (batch + 1) * side * side;
}

/** The most memory a padded grid may take: a quarter of this machine's memory, at most 4 GiB. */
export function paddedGridBudgetBytes(): number {
  return Math.min(4 * 2 ** 30, totalmem() / 4);
}

const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2);

/** Throws (before allocating) when the padded grid would exceed the memory budget; `flag` names the option to lower. */
export function checkPaddedGridMemory(batch: number, cells: number, padding: number, flag: string): void {
  const bytes = paddedGridBytes(batch, cells, padding);
  const budget = paddedGridBudgetBytes();
  if (bytes > budget) {
    const largest = Math.max(1, Math.floor(Math.sqrt(budget / (BYTES_PER_PADDED_SAMPLE * (batch + 1))) / cells));
    throw new Error(
      `${flag} ${padding}: the padded FFT grid (${cells * padding} x ${cells * padding} samples, ${batch} map${batch === 1 ? "" : "s"}) needs about ${gib(bytes)} GiB, more than the ${gib(budget)} GiB allowed; use ${flag} ${largest} or less (nothing was computed)`,
    );
  }
}

export type PaddingConvergence =
  | { status: "converged" | "not-converged"; padding: number; comparedWithPadding: number; l1Change: number[]; tolerance: number; message: string }
  /** "memory": the doubled grid would not fit, so wrap-around is unverified; "method": a lens focus has none to measure. */
  | { status: "not-checked"; reason: "memory" | "method"; padding: number; message: string };

/** Sum over a window of |a - b| for each of `batch` windows of equal size. */
export function l1Distances(a: Float32Array, b: Float32Array, batch: number): number[] {
  const window = a.length / batch;
  return Array.from({ length: batch }, (_, item) => {
    let sum = 0;
    for (let i = item * window; i < (item + 1) * window; i++) sum += Math.abs(a[i] - b[i]);
    return sum;
  });
}

/**
 * Recomputes the unit-sum PSF at twice the padding and compares. Only meaningful where the output
 * sampling does not depend on the padding (asm, fresnel); a lens focus resamples instead, so it is
 * reported as not checked. A doubled grid over the memory budget is also reported as not checked.
 */
export function paddingConvergence(options: {
  psf: Float32Array;
  model: PsfModel;
  batch: number;
  cells: number;
  padding: number;
  tolerance: number;
  recompute: (padding: number) => { psf: Float32Array; outputPitch_m: number };
}): PaddingConvergence {
  const { padding, batch, cells, tolerance } = options;
  const doubled = 2 * padding;
  if (paddedGridBytes(batch, cells, doubled) > paddedGridBudgetBytes()) {
    return { status: "not-checked", reason: "memory", padding, message: `the check at padding ${doubled} would exceed the memory budget; convergence of padding ${padding} is unverified` };
  }
  const reference = options.recompute(doubled);
  if (Math.abs(reference.outputPitch_m - options.model.operator.outputPitch_m) > 1e-12 * reference.outputPitch_m) {
    return { status: "not-checked", reason: "method", padding, message: "the output sampling of this method depends on the padding (lens focus), so doubling it does not measure wrap-around" };
  }
  const l1Change = l1Distances(options.psf, reference.psf, batch);
  const worst = Math.max(...l1Change);
  const converged = worst <= tolerance;
  const message = converged
    ? `the unit-sum PSF changes by at most ${worst.toPrecision(3)} (L1) when the padding doubles to ${doubled}`
    : `the PSF is not converged at padding ${padding}: it changes by ${worst.toPrecision(3)} (L1 of the unit-sum PSF, tolerance ${tolerance}) when the padding doubles to ${doubled}, i.e. light leaving the padded window wraps around into it; raise --padding (try ${doubled * 2}) and check again`;
  return { status: converged ? "converged" : "not-converged", padding, comparedWithPadding: doubled, l1Change, tolerance, message };
}
