import type { SetMetrics } from "../eval/evaluate-depth.js";
import type { BandPropagation } from "./array-psfs.js";

// What stage 2 reports of the sensor's image formation (sensor-evaluation.ts computes it), apart from the
// code that forms it, so the summary's reader needs no design files.

export interface SensorArrayReport {
  /** One line on the model, for logs and tables. */
  description: string;
  propagation: BandPropagation;
  /** Centre-to-centre distance of the metasurfaces and the gap between their apertures. */
  pitch_m: number;
  spacing_m: number;
  layout: { rows: number; cols: number };
  subImagePixels: number;
  /** Neighbour rings formed, and why that many. */
  rings: number;
  ringsFrom: "setting" | "first grating orders";
  /** Side of the effective kernels (2 x image side - 1). */
  kernelPixels: number;
  imagePixels: { height: number; width: number };
  /** ||W_eff - W||^2 / ||W||^2 against the trained kernels, and against the kernel-only model's realised kernels (both zero-padded). */
  kernelBankNmse: number;
  changeFromKernelOnly: number;
  /**
   * Where the light of the active metasurfaces goes, as fractions of the light incident on each (means):
   * its own kernel window, the rest of its own sub-image (the halo), and everywhere else (the neighbours'
   * sub-images, the rest of the sensor; for nanopillars also what the cells absorb).
   */
  emitted: { kernel: number; halo: number; beyondSubImage: number };
  /**
   * Where each read sub-image's light comes from under a uniform scene (shares of it, means over the read
   * sub-images): its own kernel window, its own halo, its neighbours (within the image's reach).
   */
  received: { kernel: number; halo: number; neighbours: number };
  /** The same per metasurface, bank order (zeros for inactive parts). */
  perMetasurface: { emittedKernel: number[]; emittedHalo: number[]; beyondSubImage: number[]; receivedHaloShare: number[]; receivedNeighbourShare: number[] };
  /**
   * How far off axis the formation samples the PSFs, and how far the window model's paraxial placement puts
   * light arriving there from the aperture centre (x - z x / sqrt(z^2 + x^2), in pixels); warning past a pixel
   * with the window propagation.
   */
  reach: { farthestSample_m: number; angle_rad: number; windowModelPlacementError_px: number; warning: string | null };
  /** Seconds to form the kernels (PSFs and bookkeeping; scoring not included). */
  seconds: number;
}

/** The report with the network's test metrics under that formation. */
export type SensorArrayEvaluation = SensorArrayReport & { test: SetMetrics };
