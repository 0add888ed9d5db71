/**
 * Monocular depth metrics (Eigen et al. 2014; the Monodepth2 evaluation), on plain arrays.
 *
 * Valid pixels: ground truth > 0 and finite, and mask != 0 when a mask is given.
 * Predictions are clamped to the data set's depth range [min, max] before scoring (as Monodepth2 clamps
 * to [1e-3, 80] m on KITTI), so a wild prediction costs at most the range and log errors stay finite.
 * One image gives per-pixel means; a set is scored as the mean of the per-image values
 * (DepthMetricsAccumulator), the KITTI convention.
 */
export interface DepthMetrics {
  absRel: number;
  sqRel: number;
  rmse: number;
  rmseLog: number;
  delta1: number;
  delta2: number;
  delta3: number;
}

export const DEPTH_METRIC_NAMES = ["absRel", "sqRel", "rmse", "rmseLog", "delta1", "delta2", "delta3"] as const satisfies readonly (keyof DepthMetrics)[];

export interface DepthMetricsOptions {
  /** Clamp predictions to [min, max] metres. */
  depthRange_m?: readonly [number, number];
  /** Extra validity mask (nonzero = use the pixel). */
  mask?: ArrayLike<number>;
}

/** Metrics of one image; null when it has no valid pixel. */
export function depthMetrics(pred: ArrayLike<number>, gt: ArrayLike<number>, options: DepthMetricsOptions = {}): (DepthMetrics & { validPixels: number }) | null {
  if (pred.length !== gt.length) throw new Error(`depthMetrics: prediction has ${pred.length} values, ground truth ${gt.length}`);
  if (options.mask && options.mask.length !== gt.length) throw new Error(`depthMetrics: mask has ${options.mask.length} values, ground truth ${gt.length}`);
  const [lo, hi] = options.depthRange_m ?? [-Infinity, Infinity];
  let n = 0, absRel = 0, sqRel = 0, sq = 0, sqLog = 0, d1 = 0, d2 = 0, d3 = 0;
  for (let i = 0; i < gt.length; i++) {
    const g = gt[i];
    if (!(g > 0) || !Number.isFinite(g) || (options.mask && !options.mask[i])) continue;
    const p = Math.min(Math.max(pred[i], lo), hi);
    const err = g - p;
    absRel += Math.abs(err) / g;
    sqRel += (err * err) / g;
    sq += err * err;
    const logErr = Math.log(g) - Math.log(p);
    sqLog += logErr * logErr;
    const ratio = Math.max(g / p, p / g);
    if (ratio < 1.25) d1++;
    if (ratio < 1.25 ** 2) d2++;
    if (ratio < 1.25 ** 3) d3++;
    n++;
  }
  if (n === 0) return null;
  return {
    absRel: absRel / n,
    sqRel: sqRel / n,
    rmse: Math.sqrt(sq / n),
    rmseLog: Math.sqrt(sqLog / n),
    delta1: d1 / n,
    delta2: d2 / n,
    delta3: d3 / n,
    validPixels: n,
  };
}

/** Averages per-image metrics over a set; images without valid pixels are skipped and counted. */
export class DepthMetricsAccumulator {
  private readonly sums: DepthMetrics = { absRel: 0, sqRel: 0, rmse: 0, rmseLog: 0, delta1: 0, delta2: 0, delta3: 0 };
  private images = 0;
  private skipped = 0;

  add(pred: ArrayLike<number>, gt: ArrayLike<number>, options: DepthMetricsOptions = {}): void {
    const m = depthMetrics(pred, gt, options);
    if (!m) {
      this.skipped++;
      return;
    }
    for (const key of DEPTH_METRIC_NAMES) this.sums[key] += m[key];
    this.images++;
  }

  result(): DepthMetrics & { images: number; imagesWithoutValidDepth: number } {
    if (this.images === 0) throw new Error("depth metrics: no image with valid ground truth");
    const out = { ...this.sums, images: this.images, imagesWithoutValidDepth: this.skipped };
    for (const key of DEPTH_METRIC_NAMES) out[key] /= this.images;
    return out;
  }
}
