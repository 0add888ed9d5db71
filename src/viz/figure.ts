/** A Plotly figure as plain data: what both the notebook display and the static exporter take. */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
}

/** Paper-style defaults: white background, serif-free compact fonts, tight margins. */
export function paperLayout(layout: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    template: undefined,
    paper_bgcolor: "white",
    plot_bgcolor: "white",
    font: { family: "Helvetica, Arial, sans-serif", size: 13, color: "#222" },
    margin: { l: 60, r: 20, t: 40, b: 50 },
    ...layout,
  };
}

/** A grid of heatmaps (e.g. kernels or PSFs), `rows` x `cols`, each image row-major `size` x `size`. */
export function heatmapGrid(
  images: { values: ArrayLike<number>; height: number; width: number; title?: string }[],
  options: { cols: number; title?: string; colorscale?: string; symmetric?: boolean },
): Figure {
  const cols = options.cols;
  const rows = Math.ceil(images.length / cols);
  const gap = 0.02;
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = paperLayout({
    title: options.title ? { text: options.title } : undefined,
    width: Math.max(440, 110 * cols),
    height: Math.max(250, 110 * rows + 60),
    showlegend: false,
    margin: { l: 10, r: 10, t: options.title ? 40 : 10, b: 10 },
  });
  images.forEach((image, index) => {
    const r = Math.floor(index / cols);
    const c = index % cols;
    const axis = index === 0 ? "" : String(index + 1);
    const z: number[][] = [];
    let peak = 0;
    for (let y = 0; y < image.height; y++) {
      const row: number[] = [];
      for (let x = 0; x < image.width; x++) {
        const v = image.values[y * image.width + x];
        row.push(v);
        peak = Math.max(peak, Math.abs(v));
      }
      z.push(row);
    }
    data.push({
      type: "heatmap",
      z,
      xaxis: `x${axis}`,
      yaxis: `y${axis}`,
      colorscale: options.colorscale ?? (options.symmetric ? "RdBu" : "Viridis"),
      showscale: false,
      ...(options.symmetric ? { zmin: -peak, zmax: peak } : {}),
    });
    const x0 = c / cols + gap / 2;
    const y1 = 1 - r / rows - gap / 2;
    layout[`xaxis${axis}`] = { domain: [x0, x0 + 1 / cols - gap], visible: false };
    layout[`yaxis${axis}`] = { domain: [y1 - 1 / rows + gap, y1], visible: false, autorange: "reversed", scaleanchor: `x${axis}` };
  });
  return { data, layout };
}
