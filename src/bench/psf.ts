import { existsSync } from "node:fs";

export interface PsfBenchResult {
  psfGradMs256: number | null;
  psfGradBatch96Ms: number | null;
  psfMethod: string | null;
  /** Why the PSF figures are missing, when they are. */
  psfNote?: string;
}

interface PsfBenchModule {
  benchPsfGradient(options: { size: number; batch: number; padding: number }): Promise<{ ms: number; method: string }>;
}

/**
 * PSF plus gradient of 256x256 metasurfaces with 2x padding, batch 1 and 96, timed by the optics
 * module (src/optics/bench-psf.ts). Missing figures carry the reason instead of failing the bench.
 */
export async function benchPsf(): Promise<PsfBenchResult> {
  const specifier = "../optics/bench-psf.js";
  const source = new URL("../optics/bench-psf.ts", import.meta.url);
  if (!existsSync(source)) {
    return { psfGradMs256: null, psfGradBatch96Ms: null, psfMethod: null, psfNote: "src/optics/bench-psf.ts is not there yet" };
  }
  try {
    const optics = (await import(specifier)) as PsfBenchModule;
    const single = await optics.benchPsfGradient({ size: 256, batch: 1, padding: 2 });
    const batch = await optics.benchPsfGradient({ size: 256, batch: 96, padding: 2 });
    return { psfGradMs256: single.ms, psfGradBatch96Ms: batch.ms, psfMethod: batch.method };
  } catch (error) {
    return { psfGradMs256: null, psfGradBatch96Ms: null, psfMethod: null, psfNote: `PSF bench failed: ${(error as Error).message}` };
  }
}
