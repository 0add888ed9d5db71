import { readFileSync } from "node:fs";
import * as aq from "arquero";
import type { DepthSplit } from "../data/types.js";
import { axis, colorbar, panelFigureLayout, panelPlacer, paperLayout, type Figure } from "./figure.js";

/** Rows of the image as Plotly wants them: [y][x][r,g,b] in 0..255. */
export function rgbRows(rgb: Float32Array, height: number, width: number): number[][][] {
  const rows: number[][][] = [];
  for (let y = 0; y < height; y++) {
    const row: number[][] = [];
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      row.push([Math.round(rgb[i] * 255), Math.round(rgb[i + 1] * 255), Math.round(rgb[i + 2] * 255)]);
    }
    rows.push(row);
  }
  return rows;
}

/** Rows of a depth map in metres (4 significant digits), invalid (0) pixels as null (blank). */
export function depthRows(depth_m: ArrayLike<number>, height: number, width: number): (number | null)[][] {
  const rows: (number | null)[][] = [];
  for (let y = 0; y < height; y++) {
    const row: (number | null)[] = [];
    for (let x = 0; x < width; x++) {
      const d = depth_m[y * width + x];
      row.push(d > 0 ? Number(d.toPrecision(4)) : null);
    }
    rows.push(row);
  }
  return rows;
}

/**
 * RGB images (top row) over their depth maps (bottom row), and optionally predicted depth (third row).
 * Invalid depth (0) is left blank; one colour bar (metres) serves every depth panel.
 */
export function depthSamplesFigure(
  split: DepthSplit,
  indices: number[],
  options: { title?: string; depthRange_m: [number, number]; predictions?: Float32Array[]; predictionLabel?: string },
): Figure {
  const { height, width } = split;
  const rowCount = options.predictions ? 3 : 2;
  const cols = indices.length;
  const data: Record<string, unknown>[] = [];
  const layout = panelFigureLayout({ title: options.title, width: 150 * cols + 120, height: 150 * rowCount + 60, right: 100, top: options.title ? 40 : 10 });
  const place = panelPlacer(layout, { rows: rowCount, cols, gap: 0.01 });
  const depthStyle = { type: "heatmap", colorscale: "Viridis", reversescale: true, zmin: options.depthRange_m[0], zmax: options.depthRange_m[1], showscale: false };
  const withScale = { ...depthStyle, showscale: true, colorbar: colorbar("depth (m)", { len: rowCount > 2 ? 0.66 : 0.5, y: 0, yanchor: "bottom" }) };
  indices.forEach((index, col) => {
    const sample = split.get(index);
    data.push({ type: "image", z: rgbRows(sample.rgb, height, width), ...place(0, col) });
    data.push({ ...(col === 0 ? withScale : depthStyle), z: depthRows(sample.depth_m, height, width), ...place(1, col) });
    if (options.predictions) data.push({ ...depthStyle, z: depthRows(options.predictions[col], height, width), ...place(2, col) });
  });
  return { data, layout };
}

/** Counts of `values` in `bins` equal bins over [low, high] (values outside are dropped). */
export function histogramCounts(values: Iterable<number>, low: number, high: number, bins: number): { centres: number[]; counts: number[] } {
  if (!(high > low) || !Number.isInteger(bins) || bins < 1) throw new Error(`histogram: need high > low and an integer bin count >= 1 (got [${low}, ${high}], ${bins})`);
  const counts = new Array<number>(bins).fill(0);
  const width = (high - low) / bins;
  for (const v of values) {
    if (v < low || v > high) continue;
    counts[Math.min(bins - 1, Math.floor((v - low) / width))]++;
  }
  return { centres: counts.map((_, i) => low + (i + 0.5) * width), counts };
}

/**
 * Histogram of the valid depths of the first `limit` samples of a split over the data set's depth range.
 * Binned here, not in the browser: the raw depths would embed megabytes of JSON in the notebook export.
 */
export function depthHistogramFigure(split: DepthSplit, limit: number, depthRange_m: readonly [number, number], title = "Depth distribution (train)"): Figure {
  const depths: number[] = [];
  for (let i = 0; i < Math.min(split.count, limit); i++) for (const d of split.get(i).depth_m) if (d > 0) depths.push(d);
  const bins = 60;
  const { centres, counts } = histogramCounts(depths, depthRange_m[0], depthRange_m[1], bins);
  return {
    data: [{ type: "bar", x: centres, y: counts, width: (depthRange_m[1] - depthRange_m[0]) / bins, marker: { color: "#4c72b0" } }],
    layout: paperLayout({ title: { text: title }, xaxis: axis("depth (m)"), yaxis: axis("pixels"), bargap: 0, width: 600, height: 350 }),
  };
}

/** Training loss and validation AbsRel against step, from a run's metrics.csv. */
export function trainingCurvesFigure(metricsCsvPath: string, title = "Stage-1 training"): Figure {
  const table = aq.fromCSV(readFileSync(metricsCsvPath, "utf8"));
  const steps = table.array("step") as number[];
  return {
    data: [
      { type: "scatter", mode: "lines", name: "train loss (SILog)", x: steps, y: table.array("train_loss"), yaxis: "y" },
      { type: "scatter", mode: "lines+markers", name: "val AbsRel", x: steps, y: table.array("val_absRel"), yaxis: "y2" },
    ],
    layout: paperLayout({
      title: { text: title },
      width: 640,
      height: 380,
      xaxis: axis("training step"),
      yaxis: axis("train loss (SILog)"),
      yaxis2: { title: { text: "val AbsRel (ratio)" }, overlaying: "y", side: "right", showgrid: false },
      legend: { x: 0.55, y: 0.95 },
    }),
  };
}
