/**
 * Area-average resampling used to bring real images and depth maps to the model size: each output pixel
 * is the mean of the source pixels its footprint covers (fractional pixels weighted by overlap), which
 * neither aliases like point sampling nor invents values like interpolation.
 */

/** A rectangle of the source image, in pixels. */
export interface Region {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** The largest centred sub-rectangle of `region` with the aspect ratio height:width. */
export function centredAspectCrop(region: Region, height: number, width: number): Region {
  const scale = Math.min(region.height / height, region.width / width);
  const cropHeight = Math.round(height * scale);
  const cropWidth = Math.round(width * scale);
  return {
    top: region.top + Math.floor((region.height - cropHeight) / 2),
    left: region.left + Math.floor((region.width - cropWidth) / 2),
    height: cropHeight,
    width: cropWidth,
  };
}

/** For each output index along one axis: the source indices and overlap weights it averages. */
function axisWeights(start: number, length: number, outLength: number): { index: number[]; weight: number[] }[] {
  const step = length / outLength;
  const cells = [];
  for (let o = 0; o < outLength; o++) {
    const from = start + o * step;
    const to = from + step;
    const index: number[] = [];
    const weight: number[] = [];
    for (let k = Math.floor(from); k < to; k++) {
      const overlap = Math.min(to, k + 1) - Math.max(from, k);
      if (overlap > 1e-9) {
        index.push(k);
        weight.push(overlap);
      }
    }
    cells.push({ index, weight });
  }
  return cells;
}

/**
 * Resamples `region` of an HWC image (srcWidth pixels per row, `channels` values per pixel) to
 * outHeight x outWidth. With `validOnly`, values <= 0 count as missing (depth maps): each output pixel
 * averages only valid inputs and is 0 when it covers none.
 */
export function resampleArea(
  source: ArrayLike<number>, srcWidth: number, channels: number, region: Region,
  outHeight: number, outWidth: number, validOnly: boolean,
): Float32Array {
  const rows = axisWeights(region.top, region.height, outHeight);
  const cols = axisWeights(region.left, region.width, outWidth);
  const out = new Float32Array(outHeight * outWidth * channels);
  const sums = new Float64Array(channels);
  const weights = new Float64Array(channels);
  for (let oy = 0; oy < outHeight; oy++) {
    const row = rows[oy];
    for (let ox = 0; ox < outWidth; ox++) {
      const col = cols[ox];
      sums.fill(0);
      weights.fill(0);
      for (let i = 0; i < row.index.length; i++) {
        for (let j = 0; j < col.index.length; j++) {
          const w = row.weight[i] * col.weight[j];
          const base = (row.index[i] * srcWidth + col.index[j]) * channels;
          for (let c = 0; c < channels; c++) {
            const value = source[base + c];
            if (validOnly && !(value > 0)) continue;
            sums[c] += w * value;
            weights[c] += w;
          }
        }
      }
      for (let c = 0; c < channels; c++) out[(oy * outWidth + ox) * channels + c] = weights[c] > 0 ? sums[c] / weights[c] : 0;
    }
  }
  return out;
}
