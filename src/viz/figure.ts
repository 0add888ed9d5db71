/** A Plotly figure as plain data: what both the notebook display and the static exporter take. */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
}

/** The one font every figure uses (titles, axes, colour bars, annotations). */
export const PAPER_FONT = { family: "Helvetica, Arial, sans-serif", size: 13, color: "#222" };

/** Diverging map for signed values: blue negative, white zero, red positive (used with a symmetric range). */
export const SIGNED_COLOURSCALE = [[0, "#2166ac"], [0.25, "#92c5de"], [0.5, "#ffffff"], [0.75, "#f4a582"], [1, "#b2182b"]];

/** Paper-style defaults: white background, one sans-serif font (titles a step larger), tight margins. */
export function paperLayout(layout: Record<string, unknown> = {}): Record<string, unknown> {
  const title = layout.title as Record<string, unknown> | undefined;
  return {
    template: undefined,
    paper_bgcolor: "white",
    plot_bgcolor: "white",
    font: PAPER_FONT,
    margin: { l: 60, r: 20, t: 40, b: 50 },
    ...layout,
    title: title ? { font: { size: 14 }, ...title } : undefined,
  };
}

/** A labelled axis (the label carries the unit, e.g. "x on the sensor (mm)"). */
export function axis(label: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: { text: label }, showline: true, linecolor: "#444", ticks: "outside", mirror: true, zeroline: false, ...extra };
}

/** A colour bar whose title names the quantity and its unit, placed right of the plotting area. */
export function colorbar(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: { text: title, side: "right", font: { size: 12 } }, thickness: 14, outlinewidth: 0, ...extra };
}

/**
 * How a heatmap grid maps values to colour: "signed" is one symmetric scale +-peak (diverging map, zero
 * white), "linear" one shared min..max, "log" log10 of the values (non-positive values left blank).
 * Every panel of a grid shares the scale, so one colour bar reads them all.
 */
export type ColourScale = "signed" | "linear" | "log";

export interface GridImage {
  values: ArrayLike<number>;
  height: number;
  width: number;
  title?: string;
}

/** Rows [y][x] of a row-major image, log10 (null where <= 0) on a log scale. */
export function imageRows(image: GridImage, scale: ColourScale = "linear", digits = 4): (number | null)[][] {
  const z: (number | null)[][] = [];
  for (let y = 0; y < image.height; y++) {
    const row: (number | null)[] = [];
    for (let x = 0; x < image.width; x++) {
      const v = image.values[y * image.width + x];
      const shown = scale === "log" ? (v > 0 ? Math.log10(v) : null) : v;
      // Rounded: figures are embedded as JSON in the notebook exports, and 4 significant digits are what an eye can see.
      row.push(shown === null ? null : Number(shown.toPrecision(digits)));
    }
    z.push(row);
  }
  return z;
}

/** The shared [zmin, zmax] of a set of value rows under a colour scale. */
export function sharedRange(rows: (number | null)[][][], scale: ColourScale): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const z of rows) for (const row of z) for (const v of row) if (v !== null) [low, high] = [Math.min(low, v), Math.max(high, v)];
  if (!Number.isFinite(low)) return [0, 1];
  if (scale === "signed") {
    const peak = Math.max(Math.abs(low), Math.abs(high)) || 1;
    return [-peak, peak];
  }
  return high > low ? [low, high] : [low, low + 1];
}

/** The layout of a figure of image panels (no legend; the title, if any, above the grid). */
export function panelFigureLayout(size: { title?: string; width: number; height: number; right: number; top: number }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return paperLayout({
    title: size.title ? { text: size.title } : undefined,
    width: size.width,
    height: size.height,
    margin: { l: 10, r: size.right, t: size.top, b: 10 },
    showlegend: false,
    ...extra,
  });
}

/**
 * Places image panels on a rows x cols grid over the left `plotWidth` of the figure (the rest for colour
 * bars): each call adds the next axis pair to `layout` (square pixels, y downwards) and returns its names.
 */
export function panelPlacer(layout: Record<string, unknown>, grid: { rows: number; cols: number; gap: number; plotWidth?: number }): (row: number, col: number) => { xaxis: string; yaxis: string } {
  const { rows, cols, gap, plotWidth = 1 } = grid;
  let panel = 0;
  return (row, col) => {
    panel++;
    const axis = panel === 1 ? "" : String(panel);
    layout[`xaxis${axis}`] = { domain: [(col / cols) * plotWidth + gap, ((col + 1) / cols) * plotWidth - gap], visible: false };
    layout[`yaxis${axis}`] = { domain: [1 - (row + 1) / rows + gap, 1 - row / rows - gap], visible: false, autorange: "reversed", scaleanchor: `x${axis}` };
    return { xaxis: `x${axis}`, yaxis: `y${axis}` };
  };
}

/**
 * A grid of heatmaps (kernels, PSFs, phase maps), `cols` per row, all on one colour scale with one colour
 * bar titled `colorbarTitle` (say the quantity and unit). Panel titles, when given, are drawn above each
 * panel; `columnTitles` label the columns once at the top instead.
 */
export function heatmapGrid(
  images: GridImage[],
  options: { cols: number; title?: string; scale?: ColourScale; colorbarTitle: string; columnTitles?: string[]; rowTitles?: string[]; panelSize_px?: number },
): Figure {
  const cols = options.cols;
  const rows = Math.ceil(images.length / cols);
  const scale = options.scale ?? "linear";
  const gap = 0.02;
  const hasTitles = images.some((image) => image.title) || !!options.columnTitles;
  // Panels wide enough for their titles (10 px font).
  const longestTitle = Math.max(0, ...images.map((image) => image.title?.length ?? 0), ...(options.columnTitles ?? []).map((t) => t.length));
  const panel = Math.max(options.panelSize_px ?? 100, 7 * longestTitle + 12);
  const left = options.rowTitles ? 70 : 10;
  const top = (options.title ? 40 : 10) + (hasTitles ? 20 : 0);
  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = paperLayout({
    title: options.title ? { text: options.title } : undefined,
    width: Math.max(440, panel * cols + left + 90),
    height: Math.max(250, panel * rows + top + 10),
    showlegend: false,
    margin: { l: left, r: 90, t: top, b: 10 },
  });
  const z = images.map((image) => imageRows(image, scale));
  const [zmin, zmax] = sharedRange(z, scale);
  const cellWidth = 1 / cols;
  const cellHeight = 1 / rows;
  images.forEach((image, index) => {
    const r = Math.floor(index / cols);
    const c = index % cols;
    const name = index === 0 ? "" : String(index + 1);
    data.push({
      type: "heatmap",
      z: z[index],
      xaxis: `x${name}`,
      yaxis: `y${name}`,
      colorscale: scale === "signed" ? SIGNED_COLOURSCALE : "Viridis",
      zmin,
      zmax,
      // One colour bar for the grid: every panel shares zmin/zmax.
      showscale: index === 0,
      ...(index === 0 ? { colorbar: colorbar(options.colorbarTitle) } : {}),
    });
    const x0 = c * cellWidth + gap / 2;
    const y1 = 1 - r * cellHeight - gap / 2;
    layout[`xaxis${name}`] = { domain: [x0, x0 + cellWidth - gap], visible: false };
    layout[`yaxis${name}`] = { domain: [y1 - cellHeight + gap, y1], visible: false, autorange: "reversed", scaleanchor: `x${name}` };
    if (image.title) annotations.push({ text: image.title, x: x0 + (cellWidth - gap) / 2, y: y1, xref: "paper", yref: "paper", yanchor: "bottom", showarrow: false, font: { size: 10 } });
  });
  options.columnTitles?.forEach((text, c) => annotations.push({ text, x: (c + 0.5) * cellWidth, y: 1, xref: "paper", yref: "paper", yanchor: "bottom", showarrow: false, font: { size: 10 } }));
  options.rowTitles?.forEach((text, r) => annotations.push({ text, x: 0, y: 1 - (r + 0.5) * cellHeight, xref: "paper", yref: "paper", xanchor: "right", showarrow: false, font: { size: 11 } }));
  if (annotations.length) layout.annotations = annotations;
  return { data, layout };
}

/** One image panel on physical axes: values row-major [y][x], sample centres `x` and `y` in display units. */
export interface PhysicalPanel {
  values: ArrayLike<number>;
  x: number[];
  y: number[];
  title?: string;
  /** Rectangles to draw on the panel, in the same units: [x0, y0, x1, y1] and a colour. */
  boxes?: { bounds: [number, number, number, number]; colour: string; label?: string }[];
}

/** Panels side by side on labelled physical axes, one colour scale and one colour bar for all. */
export function physicalPanels(
  panels: PhysicalPanel[],
  options: { title?: string; xLabel: string; yLabel: string; colorbarTitle: string; scale?: ColourScale; colorscale?: string; panelSize_px?: number },
): Figure {
  const scale = options.scale ?? "linear";
  const count = panels.length;
  const size = options.panelSize_px ?? 300;
  const z = panels.map((panel) => imageRows({ values: panel.values, height: panel.y.length, width: panel.x.length }, scale, 3));
  const [zmin, zmax] = sharedRange(z, scale);
  const gap = 0.06;
  const width = 1 / count;
  const data: Record<string, unknown>[] = [];
  const shapes: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = paperLayout({
    title: options.title ? { text: options.title } : undefined,
    width: size * count + 170,
    height: size + 110,
    margin: { l: 70, r: 100, t: options.title ? 60 : 30, b: 60 },
    showlegend: false,
  });
  panels.forEach((panel, i) => {
    const name = i === 0 ? "" : String(i + 1);
    data.push({
      type: "heatmap", x: panel.x, y: panel.y, z: z[i], xaxis: `x${name}`, yaxis: `y${name}`, zmin, zmax,
      colorscale: options.colorscale ?? (scale === "signed" ? SIGNED_COLOURSCALE : "Viridis"),
      showscale: i === 0, ...(i === 0 ? { colorbar: colorbar(options.colorbarTitle) } : {}),
    });
    layout[`xaxis${name}`] = axis(options.xLabel, { domain: [i * width + (i ? gap / 2 : 0), (i + 1) * width - gap / 2], anchor: `y${name}` });
    // Later panels share the first one's y axis: labelled once, ticks not repeated between panels.
    layout[`yaxis${name}`] = axis(i === 0 ? options.yLabel : "", { scaleanchor: `x${name}`, anchor: `x${name}`, autorange: "reversed", ...(i > 0 ? { matches: "y", showticklabels: false } : {}) });
    if (panel.title) annotations.push({ text: panel.title, x: (i + 0.5) * width, y: 1, xref: "paper", yref: "paper", yanchor: "bottom", showarrow: false, font: { size: 12 } });
    for (const box of panel.boxes ?? []) {
      const [x0, y0, x1, y1] = box.bounds;
      shapes.push({ type: "rect", xref: `x${name}`, yref: `y${name}`, x0, y0, x1, y1, line: { color: box.colour, width: 1.5 } });
      if (box.label) annotations.push({ text: box.label, x: x1, y: y0, xref: `x${name}`, yref: `y${name}`, xanchor: "left", yanchor: "bottom", showarrow: false, font: { size: 10, color: box.colour } });
    }
  });
  layout.shapes = shapes;
  layout.annotations = annotations;
  return { data, layout };
}
