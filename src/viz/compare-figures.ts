import type { CompareSummary } from "../e2e/compare.js";
import type { Spread } from "../e2e/compare-summary.js";
import type { DepthSplit } from "../data/types.js";
import { depthRows, rgbRows } from "./depth-figures.js";
import { panelFigureLayout, panelPlacer, paperLayout, type Figure } from "./figure.js";

const METHOD_COLOURS: Record<string, string> = {
  electronic: "#555555",
  dko: "#1f77b4",
  "e2e-optics-only": "#d62728",
  "e2e-joint-scratch": "#ff7f0e",
  "e2e-joint-stage1": "#2ca02c",
};
const colourOf = (method: string) => METHOD_COLOURS[method] ?? "#9467bd";

/**
 * AbsRel against elapsed optimisation seconds: each E2E run's validation curve (thin lines) ending in its
 * test point, and every method's test point per budget and seed (markers; DKO's point sits at its spend).
 */
export function accuracyVsTimeFigure(summary: CompareSummary, title = "Depth error against optimisation time (equal budgets)"): Figure {
  const data: Record<string, unknown>[] = [];
  const legend = new Set<string>();
  for (const budget of summary.budgets) {
    for (const seed of budget.seeds) {
      const methods = [...new Set(seed.curve.map((p) => p.method))];
      for (const method of methods) {
        const points = seed.curve.filter((p) => p.method === method);
        const val = points.filter((p) => p.split === "val");
        if (val.length > 0) {
          data.push({
            type: "scatter", mode: "lines", x: val.map((p) => p.elapsedSeconds), y: val.map((p) => p.metrics.absRel),
            line: { color: colourOf(method), width: 1, dash: "dot" }, opacity: 0.6, showlegend: false, hoverinfo: "x+y", name: `${method} (val)`,
          });
        }
        const test = points.filter((p) => p.split === "test");
        data.push({
          type: "scatter", mode: "markers", x: test.map((p) => p.elapsedSeconds), y: test.map((p) => p.metrics.absRel),
          marker: { color: colourOf(method), size: 8, symbol: method === "dko" ? "diamond" : "circle" },
          name: method, legendgroup: method, showlegend: !legend.has(method),
          text: test.map(() => `x${budget.factor}, seed ${seed.seed}`),
        });
        legend.add(method);
      }
    }
  }
  return {
    data,
    layout: paperLayout({
      title: { text: title },
      width: 760,
      height: 440,
      xaxis: { title: { text: "optimisation seconds (stage 1 included where used)" }, type: "log" },
      yaxis: { title: { text: "AbsRel (val curves dotted, test markers)" } },
    }),
  };
}

const pm = (s: Spread, digits = 4) => `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}`;

function tableFigure(title: string, header: string[], rows: string[][], width: number): Figure {
  const columns = header.map((_, c) => rows.map((row) => row[c]));
  return {
    data: [
      {
        type: "table",
        header: { values: header, fill: { color: "#e8e8e8" }, align: "left", font: { size: 12 } },
        cells: { values: columns, align: "left", font: { size: 11 }, height: 22 },
      },
    ],
    layout: paperLayout({ title: { text: title }, width, height: 90 + 24 * (rows.length + 1), margin: { l: 10, r: 10, t: 40, b: 10 } }),
  };
}

/** Every method's test metrics (mean ± std over seeds) per budget, the E2E / DKO ratios, and the reference kernel banks with their kernel NMSE. */
export function compareMetricsTableFigure(summary: CompareSummary): Figure {
  const rows: string[][] = [];
  for (const budget of summary.budgets) {
    for (const [method, m] of Object.entries(budget.metrics)) {
      const ratio = budget.ratios[method];
      rows.push([
        `x${budget.factor}`, method, pm(m.absRel), pm(m.rmse), pm(m.delta1, 3), pm(m.kernelBankNmse, 3), pm(m.elapsedSeconds, 1),
        ratio ? `${pm(ratio.absRel, 3)} / ${pm(ratio.rmse, 3)}` : "",
      ]);
    }
    const references = new Map<string, { absRel: number[]; nmse: number[]; rmse: number[]; delta1: number[] }>();
    for (const seed of budget.seeds) {
      for (const r of seed.references) {
        const entry = references.get(r.reference) ?? { absRel: [], nmse: [], rmse: [], delta1: [] };
        entry.absRel.push(r.test.absRel);
        entry.rmse.push(r.test.rmse);
        entry.delta1.push(r.test.delta1);
        entry.nmse.push(r.kernelBankNmse);
        references.set(r.reference, entry);
      }
    }
    const mean = (v: number[]) => v.reduce((a, x) => a + x, 0) / v.length;
    for (const [reference, v] of references) {
      rows.push([`x${budget.factor}`, `ref: ${reference}`, mean(v.absRel).toFixed(4), mean(v.rmse).toFixed(4), mean(v.delta1).toFixed(3), mean(v.nmse).toFixed(3), "", ""]);
    }
  }
  return tableFigure(
    "Test metrics, mean ± std over seeds (references: stage-1 back end frozen, seed mean)",
    ["budget", "method", "AbsRel", "RMSE (m)", "δ<1.25", "kernel NMSE", "seconds", "E2E/DKO AbsRel / RMSE"],
    rows,
    1250,
  );
}

/** The cost table: per-step seconds, memory, trainable parameters and FLOPs, and their ratio to DKO stage 2. */
export function costTableFigure(summary: CompareSummary): Figure {
  const rows = summary.cost.map((row) => [
    row.method,
    `${(row.secondsPerStep.mean * 1000).toFixed(1)} ± ${(row.secondsPerStep.std * 1000).toFixed(1)}`,
    (row.peakMemory_bytes / 2 ** 20).toFixed(1),
    String(row.trainableParameters),
    (row.flopsPerStep / 1e9).toFixed(4),
    row.ratioToDkoStage2.seconds.toFixed(2),
    row.ratioToDkoStage2.flops.toFixed(2),
  ]);
  return tableFigure(
    `Cost per optimisation step (${summary.cpu}; seconds measured in the compare run, FLOPs counted)`,
    ["method", "ms / step", "peak MiB", "trainable params", "GFLOP / step", "x DKO stage 2 (time)", "x DKO stage 2 (FLOP)"],
    rows,
    1000,
  );
}

/**
 * Test scenes side by side: RGB, ground truth, and each predictor's depth, then each predictor's
 * absolute error, with colour bars in metres (depth and error share one scale each).
 */
export function depthComparisonFigure(
  split: DepthSplit,
  predictions: { label: string; depth_m: Float32Array }[],
  options: { depthRange_m: [number, number]; title?: string },
): Figure {
  const { height, width } = split;
  const count = predictions[0]?.depth_m.length ? predictions[0].depth_m.length / (height * width) : 0;
  const columns = 2 + 2 * predictions.length;
  const data: Record<string, unknown>[] = [];
  const layout = panelFigureLayout({ title: options.title, width: 120 * columns + 160, height: 125 * count + 80, right: 120, top: options.title ? 80 : 50 }, { annotations: [] });
  const annotations = layout.annotations as unknown[];
  const place = panelPlacer(layout, { rows: count, cols: columns, gap: 0.005, plotWidth: 0.86 });
  const pixels = height * width;
  // |prediction - truth| where the truth is valid, blank elsewhere.
  const errorRows = (predicted: Float32Array, truth: Float32Array) => {
    const rows: (number | null)[][] = [];
    for (let y = 0; y < height; y++) rows.push(Array.from({ length: width }, (_, x) => (truth[y * width + x] > 0 ? Math.abs(predicted[y * width + x] - truth[y * width + x]) : null)));
    return rows;
  };
  const [dMin, dMax] = options.depthRange_m;
  const errorMax = (dMax - dMin) / 4;
  const depthBar = { title: { text: "depth (m)" }, x: 0.9, len: 0.45, y: 0.75 };
  const errorBar = { title: { text: "|error| (m)" }, x: 0.9, len: 0.45, y: 0.25 };
  // Two-line column titles, so long predictor names do not run into each other.
  const titles = ["RGB", "ground<br>truth", ...predictions.map((p) => p.label.replace(" ", "<br>")), ...predictions.map((p) => `|error|<br>${p.label}`)];
  for (let n = 0; n < count; n++) {
    const sample = split.get(n);
    const predicted = predictions.map((p) => p.depth_m.subarray(n * pixels, (n + 1) * pixels));
    data.push({ type: "image", z: rgbRows(sample.rgb, height, width), ...place(n, 0) });
    const depthStyle = { type: "heatmap", colorscale: "Viridis", reversescale: true, zmin: dMin, zmax: dMax, colorbar: depthBar };
    data.push({ ...depthStyle, z: depthRows(sample.depth_m, height, width), showscale: n === 0, ...place(n, 1) });
    predicted.forEach((depth_m, i) => data.push({ ...depthStyle, z: depthRows(depth_m, height, width), showscale: false, ...place(n, 2 + i) }));
    predicted.forEach((depth_m, i) => {
      const error = errorRows(depth_m, sample.depth_m);
      data.push({ type: "heatmap", colorscale: "Hot", reversescale: true, zmin: 0, zmax: errorMax, colorbar: errorBar, z: error, showscale: n === 0 && i === 0, ...place(n, 2 + predictions.length + i) });
    });
  }
  titles.forEach((text, col) => annotations.push({ text, x: ((col + 0.5) / columns) * 0.86, y: 1.0, xref: "paper", yref: "paper", yanchor: "bottom", showarrow: false, font: { size: 11 } }));
  return { data, layout };
}
