import { cropBounds, type DepthEvalProtocol } from "./depth-protocol.js";

/**
 * Monocular depth metrics (Eigen et al. 2014; the Monodepth2 evaluation), on plain arrays.
 *
 * Counted pixels: minDepth_m < ground truth < maxDepth_m (the protocol's depth cap), finite, inside the
 * protocol's crop, and mask != 0 when a mask is given. With median scaling the prediction is multiplied by
 * median(gt) / median(pred) over the counted pixels; predictions are then clamped to
 * [minDepth_m, maxDepth_m] (as Monodepth2 clamps to [1e-3, 80] m on KITTI), so a wild prediction costs at
 * most the range and log errors stay finite.
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

/** Without a protocol: every positive ground-truth pixel counts, predictions are not scaled or clamped above. */
const SCORE_EVERY_PIXEL: DepthEvalProtocol = { minDepth_m: 0, maxDepth_m: null, crop: "none", medianScaling: false };

export interface DepthMetricsOptions {
  protocol?: DepthEvalProtocol;
  /** Frame size (rows, columns); needed when the protocol crops. */
  height?: number;
  width?: number;
  /** Extra validity mask (nonzero = use the pixel). */
  mask?: ArrayLike<number>;
}

/** np.median: the middle value, or the mean of the two middle values. */
function median(values: Float64Array): number {
  values.sort();
  const middle = values.length >> 1;
  return values.length % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

/** Metrics of one image; null when it has no counted pixel. */
export function depthMetrics(pred: ArrayLike<number>, gt: ArrayLike<number>, options: DepthMetricsOptions = {}): (DepthMetrics & { validPixels: number }) | null {
  if (pred.length !== gt.length) throw new Error(`depthMetrics: prediction has ${pred.length} values, ground truth ${gt.length}`);
  if (options.mask && options.mask.length !== gt.length) throw new Error(`depthMetrics: mask has ${options.mask.length} values, ground truth ${gt.length}`);
  const protocol = options.protocol ?? SCORE_EVERY_PIXEL;
  const lo = protocol.minDepth_m;
  const hi = protocol.maxDepth_m ?? Infinity;
  let crop = null;
  if (protocol.crop !== "none") {
    const { height, width } = options;
    if (height === undefined || width === undefined || height * width !== gt.length) {
      throw new Error(`depthMetrics: the ${protocol.crop} crop needs the frame size (height x width = ${gt.length} pixels), got ${height} x ${width}`);
    }
    crop = { ...cropBounds(protocol.crop, height, width), width };
  }
  const counted: number[] = [];
  for (let i = 0; i < gt.length; i++) {
    const g = gt[i];
    if (!(g > lo && g < hi) || !Number.isFinite(g) || (options.mask && !options.mask[i])) continue;
    if (crop) {
      const y = Math.floor(i / crop.width);
      const x = i - y * crop.width;
      if (y < crop.top || y >= crop.bottom || x < crop.left || x >= crop.right) continue;
    }
    counted.push(i);
  }
  const n = counted.length;
  if (n === 0) return null;
  let scale = 1;
  if (protocol.medianScaling) {
    const predMedian = median(Float64Array.from(counted, (i) => pred[i]));
    if (!(predMedian > 0)) throw new Error(`depthMetrics: median scaling needs a positive median prediction, got ${predMedian}`);
    scale = median(Float64Array.from(counted, (i) => gt[i])) / predMedian;
  }
  let absRel = 0, sqRel = 0, sq = 0, sqLog = 0, d1 = 0, d2 = 0, d3 = 0;
  for (const i of counted) {
    const g = gt[i];
    const p = Math.min(Math.max(pred[i] * scale, lo), hi);
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
  }
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

/** Averages per-image metrics over a set; images without counted pixels are skipped and counted. */
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
