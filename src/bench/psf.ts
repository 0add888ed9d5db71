import { benchPsfGradient } from "./psf-gradient.js";

export interface PsfBenchResult {
  psfGradMs256: number | null;
  psfGradBatch96Ms: number | null;
  psfMethod: string | null;
  /** Why the PSF figures are missing, when they are. */
  psfNote?: string;
}

/**
 * PSF plus gradient of 256x256 metasurfaces with 2x padding, batch 1 and 96, timed by the optics
 * module. A failure carries the reason instead of failing the whole bench.
 */
export async function benchPsf(): Promise<PsfBenchResult> {
  try {
    const single = await benchPsfGradient({ size: 256, batch: 1, padding: 2 });
    const batch = await benchPsfGradient({ size: 256, batch: 96, padding: 2 });
    return { psfGradMs256: single.ms, psfGradBatch96Ms: batch.ms, psfMethod: batch.method };
  } catch (error) {
    return { psfGradMs256: null, psfGradBatch96Ms: null, psfMethod: null, psfNote: `PSF bench failed: ${(error as Error).message}` };
  }
}
