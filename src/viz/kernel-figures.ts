import { heatmapGrid, type Figure } from "./figure.js";

export interface KernelImage {
  values: Float32Array;
  height: number;
  width: number;
  title?: string;
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

/** Rows of images (e.g. targets over realised), `perRow` each, as one heatmap grid. */
export function comparisonGrid(rows: KernelImage[][], options: { title: string; symmetric?: boolean }): Figure {
  const perRow = Math.max(...rows.map((r) => r.length));
  return heatmapGrid(rows.flat(), { cols: perRow, title: options.title, symmetric: options.symmetric });
}
