import * as aq from "arquero";
import type { AsmCheck, AsmCheckSetup } from "../dko/asm-check.js";
import { metasurfaceRole, type DkoDesign } from "../dko/design-files.js";
import type { SensorArray } from "../dko/sensor-array.js";
import type { SensitivityPoint, SweepName } from "../dko/sensitivity.js";
import { axis, colorbar, heatmapGrid, paperLayout, physicalPanels, type Figure } from "./figure.js";
import { colourName } from "./kernel-figures.js";

/** "#5 out 1 G +": which kernel part metasurface `index` realises. */
export function metasurfaceLabel(design: DkoDesign, index: number): string {
  const { sign, out, input } = metasurfaceRole(index, design.shape);
  return `#${index} out ${out} ${colourName(input, design.shape.inChannels)} ${sign === 0 ? "+" : "-"}`;
}

/** Centred coordinates of `count` samples at `pitch`, in display units (`unit` metres each). */
function centred(count: number, pitch_m: number, unit_m: number): number[] {
  return Array.from({ length: count }, (_, i) => Number((((i - Math.floor(count / 2)) * pitch_m) / unit_m).toPrecision(5)));
}

/**
 * Phase maps (wrapped to [0, 2 pi)) of chosen metasurfaces on the metasurface plane (mm). Large maps are
 * shown every `stride`-th cell (so at most `maxCells` per side): averaging wrapped phase would blur the zone edges.
 */
export function phaseMapsFigure(design: DkoDesign, indices: number[], maxCells = 160): Figure {
  const { cells: N, cellPitch_m } = design.summary.config.optics;
  const stride = Math.max(1, Math.ceil(N / maxCells));
  const shown = Math.ceil(N / stride);
  const twoPi = 2 * Math.PI;
  const panels = indices.map((b) => {
    const values = new Float32Array(shown * shown);
    for (let r = 0; r < shown; r++) for (let c = 0; c < shown; c++) {
      const p = design.params[(b * N + r * stride) * N + c * stride];
      values[r * shown + c] = ((p % twoPi) + twoPi) % twoPi;
    }
    const coordinates = Array.from({ length: shown }, (_, i) => Number((((i * stride - Math.floor(N / 2)) * cellPitch_m) / 1e-3).toPrecision(5)));
    return { values, x: coordinates, y: coordinates, title: metasurfaceLabel(design, b) };
  });
  return physicalPanels(panels, {
    title: `Metasurface phase (${N}x${N} cells at ${(cellPitch_m * 1e6).toFixed(2)} um${stride > 1 ? `; every ${stride}th cell shown` : ""})`,
    xLabel: "x (mm)",
    yLabel: "y (mm)",
    colorbarTitle: "phase (rad)",
    colorscale: "Portland",
    panelSize_px: 260,
  });
}

/**
 * Each chosen metasurface's PSF over its whole sub-image on a log scale, with the kernel window (k x k
 * pixels) and the fit window (the DKO loss's window) drawn on it. Input: incident-energy PSFs [count, P, P].
 */
export function fullPsfFigure(design: DkoDesign, array: SensorArray, subImages: Float32Array, indices: number[]): Figure {
  const P = array.subImagePixels;
  const pitch_um = array.sensorPitch_m * 1e6;
  const coordinates = centred(P, array.sensorPitch_m, 1e-6);
  const box = (pixels: number) => [-pitch_um * pixels / 2, -pitch_um * pixels / 2, pitch_um * pixels / 2, pitch_um * pixels / 2] as [number, number, number, number];
  const k = design.bank.kernelSize;
  const M = design.bank.windowPixels;
  return physicalPanels(
    indices.map((b, i) => ({
      values: subImages.subarray(i * P * P, (i + 1) * P * P),
      x: coordinates,
      y: coordinates,
      title: metasurfaceLabel(design, b),
      boxes: [{ bounds: box(k), colour: "white", label: `kernel ${k}x${k}` }, { bounds: box(M), colour: "#ff7f0e", label: `fit ${M}x${M}` }],
    })),
    {
      title: `PSF over the whole sub-image (${P}x${P} sensor pixels of ${pitch_um.toFixed(2)} um), log scale`,
      xLabel: "x on the sensor (um)",
      yLabel: "y on the sensor (um)",
      colorbarTitle: "log10 (fraction of incident light per pixel)",
      scale: "log",
      panelSize_px: 300,
    },
  );
}

/** The sensor as the array lays it out (binned), log scale, axes in mm. */
export function sensorLayoutFigure(mosaic: { values: Float32Array; height: number; width: number; binPitch_m: number }, array: SensorArray): Figure {
  const x = Array.from({ length: mosaic.width }, (_, i) => Number((((i + 0.5) * mosaic.binPitch_m) / 1e-3).toPrecision(5)));
  const y = Array.from({ length: mosaic.height }, (_, i) => Number((((i + 0.5) * mosaic.binPitch_m) / 1e-3).toPrecision(5)));
  const figure = physicalPanels([{ values: mosaic.values, x, y }], {
    title: `The sensor: every metasurface's PSF at its sub-image<br>(${array.rows}x${array.cols} array, ${(array.pitch_m * 1e3).toFixed(3)} mm pitch, ${(mosaic.binPitch_m * 1e6).toFixed(1)} um bins)`,
    xLabel: "x on the sensor (mm)",
    yLabel: "y on the sensor (mm)",
    colorbarTitle: "log10 (light fraction per bin)",
    scale: "log",
    panelSize_px: Math.min(720, Math.max(520, 40 * array.cols)),
  });
  figure.layout!.height = Math.round((((figure.layout!.width as number) - 170) * mosaic.height) / mosaic.width) + 110;
  return figure;
}

/** Cross-talk per metasurface as the array lays them out: % of its light landing in neighbours' sub-images. */
export function crossTalkMapFigure(design: DkoDesign, array: SensorArray, fractions: number[]): Figure {
  const z: (number | null)[][] = [];
  const text: string[][] = [];
  for (let r = 0; r < array.rows; r++) {
    z.push([]);
    text.push([]);
    for (let c = 0; c < array.cols; c++) {
      const b = r * array.cols + c;
      const active = b < fractions.length && design.summary.kernels[b].active;
      z[r].push(active ? Number((100 * fractions[b]).toPrecision(3)) : null);
      text[r].push(b < fractions.length ? metasurfaceLabel(design, b) : "");
    }
  }
  return {
    data: [{ type: "heatmap", z, text, hovertemplate: "%{text}: %{z:.2f} %<extra></extra>", texttemplate: array.cols <= 16 ? "%{z:.1f}" : "", colorscale: "YlOrRd", reversescale: true, colorbar: colorbar("cross-talk (% of its light)") }],
    layout: paperLayout({
      title: { text: `Cross-talk: % of each metasurface's light landing in neighbours' sub-images<br>(array pitch ${(array.pitch_m * 1e3).toFixed(3)} mm; blank = zero kernel part)` },
      xaxis: axis("array column"),
      yaxis: axis("array row", { autorange: "reversed", scaleanchor: "x" }),
      width: Math.max(640, 50 * array.cols + 220),
      height: Math.max(360, 50 * array.rows + 140),
      margin: { l: 60, r: 100, t: 60, b: 50 },
    }),
  };
}

/** Mean and sample standard deviation per (sweep, setting), over fabrication seeds (null for one draw). */
export function sensitivitySummary(points: SensitivityPoint[]): aq.ColumnTable {
  return aq
    .from(points)
    .groupby("sweep", "setting")
    .rollup({ draws: aq.op.count(), fitNmse: aq.op.mean("fitNmse"), fitNmseStd: aq.op.stdev("fitNmse"), absRel: aq.op.mean("absRel"), absRelStd: aq.op.stdev("absRel") })
    // A single draw has no spread: null (an empty CSV cell), not arquero's undefined.
    .derive({ fitNmseStd: (d: { draws: number; fitNmseStd: number }) => (d.draws > 1 ? d.fitNmseStd : null), absRelStd: (d: { draws: number; absRelStd: number }) => (d.draws > 1 ? d.absRelStd : null) })
    .orderby("sweep", "setting");
}

const SWEEP_AXES: Record<SweepName, (fabricationUnit: string) => string> = {
  wavelength: () => "wavelength detuning (nm)",
  fabrication: (unit) => `fabrication error rms per cell (${unit})`,
  quantisation: () => "phase levels",
};

/**
 * Fit NMSE and test AbsRel against one sweep's setting, side by side; error bars = spread over draws.
 * `fabricationUnit`: "rad" (phase error) or "nm" (radius error).
 */
export function sensitivityFigure(points: SensitivityPoint[], sweep: SweepName, reference: { absRel: number; label: string }, fabricationUnit = "rad"): Figure {
  const rows = sensitivitySummary(points.filter((p) => p.sweep === sweep)).objects() as { setting: number; draws: number; fitNmse: number; fitNmseStd: number; absRel: number; absRelStd: number }[];
  // Quantisation: level 0 means continuous, shown last on a categorical axis.
  const ordered = sweep === "quantisation" ? [...rows.filter((r) => r.setting !== 0), ...rows.filter((r) => r.setting === 0)] : rows;
  const x = ordered.map((r) => (sweep === "quantisation" ? (r.setting === 0 ? "continuous" : String(r.setting)) : r.setting));
  const bars = (key: "fitNmseStd" | "absRelStd") => (ordered.some((r) => r.draws > 1) ? { error_y: { type: "data", array: ordered.map((r) => (r.draws > 1 ? r[key] : 0)), visible: true } } : {});
  const xAxis = axis(SWEEP_AXES[sweep](fabricationUnit), sweep === "quantisation" ? { type: "category" } : {});
  return {
    data: [
      { type: "scatter", mode: "lines+markers", name: "PSF fit NMSE", x, y: ordered.map((r) => r.fitNmse), ...bars("fitNmseStd"), xaxis: "x", yaxis: "y" },
      { type: "scatter", mode: "lines+markers", name: "optical network", x, y: ordered.map((r) => r.absRel), ...bars("absRelStd"), xaxis: "x2", yaxis: "y2" },
      { type: "scatter", mode: "lines", name: reference.label, x: [x[0], x[x.length - 1]], y: [reference.absRel, reference.absRel], line: { dash: "dash", color: "#888" }, xaxis: "x2", yaxis: "y2" },
    ],
    layout: paperLayout({
      title: { text: `Sensitivity to ${sweep}${ordered.some((r) => r.draws > 1) ? ` (mean +- std over ${Math.max(...ordered.map((r) => r.draws))} seeded draws)` : ""}` },
      width: 900,
      xaxis: { ...xAxis, domain: [0, 0.44] },
      yaxis: axis("mean PSF fit NMSE (ratio)", { anchor: "x" }),
      xaxis2: { ...xAxis, domain: [0.56, 1] },
      yaxis2: axis("test AbsRel (ratio)", { anchor: "x2" }),
      legend: { orientation: "h", x: 0.5, xanchor: "center", y: -0.3 },
      height: 420,
      margin: { l: 70, r: 20, t: 50, b: 110 },
    }),
  };
}

/** "rayleigh-sommerfeld window (4 distortion tiles, 4 nodes/pixel)": stage 2's model in a figure's words. */
function windowModelName(setup: AsmCheckSetup): string {
  return `${setup.windowKernel} window (${setup.distortionTiles} distortion tiles, ${setup.windowNodesPerPixel} nodes/pixel)`;
}

/** Stage 2's window model over the angular-spectrum window of the same cells, per checked metasurface, log scale. */
export function asmWindowsFigure(design: DkoDesign, checks: AsmCheck[], setup: AsmCheckSetup): Figure {
  const M = design.bank.windowPixels;
  return heatmapGrid(
    [
      ...checks.map((c) => ({ values: c.windowModel, height: M, width: M, title: metasurfaceLabel(design, c.index) })),
      ...checks.map((c) => ({ values: c.asm, height: M, width: M, title: `NMSE ${c.nmse.toExponential(1)}` })),
    ],
    {
      cols: checks.length,
      title: `Fit windows (${M}x${M} pixels): stage 2's ${windowModelName(setup)} (top)<br>vs angular spectrum of the same ${setup.cellModel} (${setup.referenceNodesPerPixel} nodes/pixel, bottom)`,
      scale: "log",
      colorbarTitle: "log10 (fraction of window's light)",
      rowTitles: ["window", "ASM"],
      // Wide enough that neighbouring metasurface labels do not run into each other.
      panelSize_px: 130,
    },
  );
}

/**
 * NMSE against the cell-model angular spectrum per checked metasurface: stage 2's window model and the
 * single-step paraxial window of the same cells; the hover gives the phase each kernel neglects at the edge.
 */
export function asmNmseFigure(design: DkoDesign, checks: AsmCheck[], setup: AsmCheckSetup, neglected_rad: (wavelength_m: number) => { paraxial: number; windowModel: number }): Figure {
  const x = checks.map((c) => metasurfaceLabel(design, c.index));
  const bar = (name: string, y: number[], text: string[], colour: string) => ({ type: "bar", name, x, y, text, textposition: "none", hovertemplate: "%{x}: NMSE %{y:.2e} (%{text})<extra></extra>", marker: { color: colour } });
  const nm = (c: AsmCheck) => `${(c.wavelength_m * 1e9).toFixed(0)} nm`;
  return {
    data: [
      bar(`stage 2: ${windowModelName(setup)}`, checks.map((c) => c.nmse), checks.map((c) => `${nm(c)}, ${neglected_rad(c.wavelength_m).windowModel.toFixed(3)} rad neglected at the edge, energy ratio ${c.energyRatio.toFixed(4)}`), "#4c72b0"),
      bar("paraxial Fresnel window", checks.map((c) => c.paraxialNmse), checks.map((c) => `${nm(c)}, ${neglected_rad(c.wavelength_m).paraxial.toFixed(2)} rad neglected at the edge`), "#dd8452"),
      {
        type: "scatter",
        mode: "markers",
        name: `reference's own change (padding, margin doubled from ${setup.referenceSettings.padding}, ${setup.referenceSettings.frequencyMargin})`,
        x,
        y: checks.map((c) => c.referenceChange),
        hovertemplate: "%{x}: the reference moves by NMSE %{y:.2e} when refined<extra></extra>",
        marker: { color: "#333", symbol: "line-ew-open", size: 18, line: { width: 2 } },
      },
    ],
    layout: paperLayout({
      title: { text: `Window models vs angular spectrum of the same cells, per metasurface<br>(${setup.cellModel}; unit-sum NMSE over the fit window)` },
      barmode: "group",
      xaxis: axis("metasurface", { tickangle: -45 }),
      yaxis: axis("NMSE (ratio, log scale)", { type: "log" }),
      legend: { orientation: "h", x: 0.5, xanchor: "center", y: -0.45 },
      width: Math.max(640, 60 * checks.length + 200),
      height: 460,
      margin: { l: 70, r: 20, t: 60, b: 160 },
    }),
  };
}

/** NMSE values span 1e-7 .. 1: shown with 3 significant digits (arquero's default rounds to 6 decimals, 3.8e-6 to 0.000004). */
const nmseCell = (value: number | null) => (value === null ? "" : value.toExponential(2));
/** An NMSE as the tables store it: the 3 significant digits nmseCell shows, so it is rounded once (stored to 4, 1.7150e-7 showed as 1.71e-7). */
const nmseValue = (value: number) => Number(value.toPrecision(3));

/** toHTML options for the ASM-check and metasurface tables: every NMSE column in exponent notation. */
export const NMSE_TABLE_FORMAT = {
  format: Object.fromEntries(["fit_nmse", "asm_nmse", "reference_change_nmse", "paraxial_asm_nmse"].map((column) => [column, nmseCell])),
};

/**
 * One row per checked metasurface: the models compared, the NMSE of each against the angular spectrum, the
 * reference's own change when refined, the phase each kernel neglects at the aperture edge.
 */
export function asmCheckTable(design: DkoDesign, checks: AsmCheck[], setup: AsmCheckSetup, neglected_rad: (wavelength_m: number) => { paraxial: number; windowModel: number }): aq.ColumnTable {
  return aq.from(
    checks.map((c) => ({
      index: c.index,
      metasurface: metasurfaceLabel(design, c.index),
      wavelength_nm: Number((c.wavelength_m * 1e9).toFixed(1)),
      cell_model: setup.cellModel,
      reference: `${setup.reference}, ${setup.referenceNodesPerPixel} nodes/pixel, padding ${setup.referenceSettings.padding}, frequency margin ${setup.referenceSettings.frequencyMargin}`,
      window_model: windowModelName(setup),
      fit_nmse: nmseValue(design.summary.kernels[c.index].nmse),
      asm_nmse: nmseValue(c.nmse),
      asm_energy_ratio: Number(c.energyRatio.toPrecision(5)),
      reference_change_nmse: nmseValue(c.referenceChange),
      window_neglected_edge_rad: Number(neglected_rad(c.wavelength_m).windowModel.toPrecision(3)),
      paraxial_asm_nmse: nmseValue(c.paraxialNmse),
      paraxial_neglected_edge_rad: Number(neglected_rad(c.wavelength_m).paraxial.toPrecision(3)),
    })),
  );
}

/**
 * One row per metasurface: its role, fit, cross-talk and, where checked, the angular-spectrum check (NMSE of
 * stage 2's window model and of the paraxial window against it, and the window model's energy ratio).
 */
export function metasurfaceTable(design: DkoDesign, crossTalk: number[], checks: AsmCheck[]): aq.ColumnTable {
  const asm = new Map(checks.map((c) => [c.index, c]));
  return aq.from(
    design.summary.kernels.map((kernel) => {
      const { sign, out, input } = metasurfaceRole(kernel.index, design.shape);
      return {
        index: kernel.index,
        part: sign === 0 ? "+" : "-",
        out,
        colour: colourName(input, design.shape.inChannels),
        wavelength_nm: Number((kernel.wavelength_m * 1e9).toFixed(1)),
        active: kernel.active,
        fit_nmse: nmseValue(kernel.nmse),
        outside_kernel_pct: Number((100 * kernel.energyOutsideKernel).toPrecision(4)),
        crosstalk_pct: Number((100 * crossTalk[kernel.index]).toPrecision(4)),
        asm_nmse: asm.has(kernel.index) ? nmseValue(asm.get(kernel.index)!.nmse) : null,
        asm_energy_ratio: asm.has(kernel.index) ? Number(asm.get(kernel.index)!.energyRatio.toPrecision(5)) : null,
        asm_paraxial_nmse: asm.has(kernel.index) ? Number(asm.get(kernel.index)!.paraxialNmse.toPrecision(4)) : null,
      };
    }),
  );
}
