import * as aq from "arquero";
import type { DkoSummary } from "../dko/summary.js";
import { axis, paperLayout, type Figure } from "./figure.js";

const activeKernels = (summary: DkoSummary) => summary.kernels.filter((kernel) => kernel.active);

/** Histogram of the per-metasurface PSF fit error of a DKO result. */
export function fitErrorFigure(summary: DkoSummary): Figure {
  return {
    data: [{ type: "histogram", x: activeKernels(summary).map((kernel) => kernel.nmse), name: "NMSE", nbinsx: 30 }],
    layout: paperLayout({ title: { text: "Per-metasurface PSF fit error" }, xaxis: axis("NMSE over the fit window (ratio)"), yaxis: axis("metasurfaces"), width: 560, height: 340 }),
  };
}

/** Share of each metasurface's fit-window light outside the kernel window (cross-talk into neighbours), by wavelength. */
export function energyOutsideKernelFigure(summary: DkoSummary): Figure {
  const active = activeKernels(summary);
  return {
    data: [{ type: "scatter", mode: "markers", x: active.map((kernel) => kernel.wavelength_m * 1e9), y: active.map((kernel) => 100 * kernel.energyOutsideKernel) }],
    layout: paperLayout({ title: { text: "Light outside the kernel window per metasurface" }, xaxis: axis("wavelength (nm)"), yaxis: axis("light outside the kernel (% of the fit window)"), width: 560, height: 340 }),
  };
}

/**
 * Where each active metasurface's light goes under the sensor's image formation (stacked: its kernel window,
 * the rest of its sub-image, beyond it), with the share of its sub-image's light that comes from the
 * neighbours as markers. Null when the result was not scored with the sensor array.
 */
export function sensorLightFigure(summary: DkoSummary): Figure | null {
  const sensor = summary.metrics.sensorArray;
  if (!sensor) return null;
  const active = activeKernels(summary);
  const labels = active.map((kernel) => String(kernel.index));
  const pct = (values: number[]) => active.map((kernel) => 100 * values[kernel.index]);
  const per = sensor.perMetasurface;
  return {
    data: [
      { type: "bar", name: "in its kernel window (% of incident)", x: labels, y: pct(per.emittedKernel) },
      { type: "bar", name: "in its halo (% of incident)", x: labels, y: pct(per.emittedHalo) },
      { type: "bar", name: "beyond its sub-image (% of incident)", x: labels, y: pct(per.beyondSubImage) },
      { type: "scatter", mode: "markers", name: "its sub-image's light from neighbours (% of that light)", x: labels, y: pct(per.receivedNeighbourShare), marker: { color: "black", symbol: "diamond" } },
    ],
    layout: paperLayout({
      title: { text: `Where the light goes on the sensor (array pitch ${(sensor.pitch_m * 1e6).toPrecision(4)} um)` },
      barmode: "stack",
      xaxis: axis("metasurface (bank index)", { type: "category" }),
      yaxis: axis("share of the light (%)"),
      legend: { orientation: "h", x: 0, y: -0.25 },
      margin: { l: 70, r: 20, t: 50, b: 130 },
      width: 760,
      height: 440,
    }),
  };
}

/** The ghost orders of a DKO result: one row per wavelength and first order (bank.ghostOrders). */
export function ghostOrdersTable(summary: DkoSummary): aq.ColumnTable {
  const report = summary.bank.ghostOrders;
  return aq.from(
    report.orders.map((order) => ({
      wavelength_nm: Number((order.wavelength_m * 1e9).toFixed(1)),
      order: `(${order.order.join(", ")})`,
      angle_deg: Number(((order.angle_rad * 180) / Math.PI).toFixed(2)),
      distance_um: Number((Math.hypot(...order.position_m) * 1e6).toFixed(1)),
      pitches: Number(Math.hypot(...order.pitches).toFixed(3)),
      sub_image: `(${order.subImage.join(", ")})`,
      offset_px: Number(Math.hypot(...order.offsetInSubImage_px).toFixed(1)),
      reaches_image: order.reachesImage,
      lens_ghost_pct: Number((100 * order.lensFirstOrderRatio).toPrecision(3)),
      window_model_error_px: Number(Math.hypot(...order.modelPlacementError_px).toFixed(1)),
    })),
  );
}
