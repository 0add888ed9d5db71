import { heatmapGrid, type ColourScale, type Figure, type GridImage } from "./figure.js";

export interface KernelImage extends GridImage {
  values: Float32Array;
}

const COLOURS = ["R", "G", "B"];

/** Name of input channel c (R, G, B for colour images). */
export function colourName(c: number, inChannels: number): string {
  return inChannels === 3 ? COLOURS[c] : `in ${c}`;
}

/** The k x k slices of an HWIO kernel bank [k, k, in, out], ordered (out, in): R, G, B per output channel. */
export function hwioKernelImages(weights: ArrayLike<number>, shape: readonly number[]): KernelImage[] {
  const [k, kw, inChannels, outChannels] = shape;
  if (shape.length !== 4 || k !== kw) throw new Error(`kernel bank shape [${shape.join(", ")}]: expected [k, k, in, out]`);
  const images: KernelImage[] = [];
  for (let o = 0; o < outChannels; o++) {
    for (let c = 0; c < inChannels; c++) {
      const values = new Float32Array(k * k);
      for (let i = 0; i < k * k; i++) values[i] = weights[(i * inChannels + c) * outChannels + o];
      images.push({ values, height: k, width: k });
    }
  }
  return images;
}

/** Slices [index] of a stack [B, size, size]. */
export function stackImages(stack: Float32Array, size: number, indices: number[]): KernelImage[] {
  return indices.map((b) => ({ values: stack.slice(b * size * size, (b + 1) * size * size), height: size, width: size }));
}

/** Rows of images (e.g. targets over realised), `perRow` each, as one heatmap grid on one colour scale. */
export function comparisonGrid(rows: KernelImage[][], options: { title: string; scale?: ColourScale; colorbarTitle: string; rowTitles?: string[] }): Figure {
  const perRow = Math.max(...rows.map((r) => r.length));
  return heatmapGrid(rows.flat(), { cols: perRow, title: options.title, scale: options.scale, colorbarTitle: options.colorbarTitle, rowTitles: options.rowTitles });
}

/** A kernel bank as a grid: one row per output channel, its input channels side by side, one signed scale. */
export function kernelBankFigure(weights: ArrayLike<number>, shape: readonly number[], title: string): Figure {
  const [, , inChannels, outChannels] = shape;
  return heatmapGrid(hwioKernelImages(weights, shape), {
    cols: inChannels,
    title,
    scale: "signed",
    colorbarTitle: "weight (a.u.)",
    columnTitles: Array.from({ length: inChannels }, (_, c) => colourName(c, inChannels)),
    rowTitles: Array.from({ length: outChannels }, (_, o) => `out ${o}`),
    panelSize_px: 56,
  });
}

/**
 * Target, realised and their signed difference (realised - target) for every output channel: one row per
 * output channel, columns target R G B | realised R G B | difference R G B, on one symmetric scale.
 */
export function kernelMosaicFigure(target: ArrayLike<number>, realised: ArrayLike<number>, shape: readonly number[], title: string): Figure {
  const [, , inChannels, outChannels] = shape;
  const targets = hwioKernelImages(target, shape);
  const realisedImages = hwioKernelImages(realised, shape);
  const images: KernelImage[] = [];
  for (let o = 0; o < outChannels; o++) {
    const slice = (list: KernelImage[]) => list.slice(o * inChannels, (o + 1) * inChannels);
    const differences = slice(realisedImages).map((image, c) => ({ ...image, values: image.values.map((v, i) => v - targets[o * inChannels + c].values[i]) }));
    images.push(...slice(targets), ...slice(realisedImages), ...differences);
  }
  const colour = (prefix: string) => Array.from({ length: inChannels }, (_, c) => `${prefix} ${colourName(c, inChannels)}`);
  return heatmapGrid(images, {
    cols: 3 * inChannels,
    title,
    scale: "signed",
    colorbarTitle: "weight (a.u.)",
    columnTitles: [...colour("target"), ...colour("real."), ...colour("diff.")],
    rowTitles: Array.from({ length: outChannels }, (_, o) => `out ${o}`),
    panelSize_px: 56,
  });
}
