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
