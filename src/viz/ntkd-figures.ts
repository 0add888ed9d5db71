import { join } from "node:path";
import { readNpy } from "../io/npy.js";
import type { NtkdSummary } from "../ntkd/run.js";
import { heatmapGrid, paperLayout, type Figure } from "./figure.js";
import { stackImages } from "./kernel-figures.js";

/** Figures of an NTKD run (src/ntkd/run.ts summary). */
const MODE_LABELS: Record<string, string> = { teacher: "teacher (electronic)", none: "no transfer", kd: "Hinton KD", ntkd: "NTKD", dko: "DKO" };

/** Test accuracy per mode and data set, mean with the seeds' standard deviation as error bars. */
export function accuracyPerModeFigure(summary: NtkdSummary): Figure {
  const keys = ["teacher", "none", "kd", "ntkd", "dko"] as const;
  return {
    data: summary.datasets.map((d) => ({
      type: "bar",
      name: d.name,
      x: keys.map((k) => MODE_LABELS[k]),
      y: keys.map((k) => 100 * d.accuracy[k].mean),
      error_y: { type: "data", array: keys.map((k) => 100 * d.accuracy[k].std), visible: true },
    })),
    layout: paperLayout({ title: { text: "Test accuracy per training mode" }, yaxis: { title: { text: "accuracy (%)" } }, barmode: "group", width: 700, height: 420 }),
  };
}

/** NTK ridge estimate versus kernel count, with the trained students' accuracies at the trained count. */
export function estimateFigure(summary: NtkdSummary): Figure {
  const data: Record<string, unknown>[] = [];
  for (const d of summary.datasets) {
    data.push({ type: "scatter", mode: "lines+markers", name: `${d.name}: NTK ridge estimate`, x: d.estimates.map((e) => e.kernels), y: d.estimates.map((e) => 100 * e.accuracy) });
    for (const mode of ["none", "kd", "ntkd", "dko"] as const) {
      data.push({ type: "scatter", mode: "markers", name: `${d.name}: ${MODE_LABELS[mode]}`, x: [d.estimateVsMeasured.kernels], y: [100 * d.estimateVsMeasured.measured[mode]], marker: { size: 10, symbol: "diamond" } });
    }
  }
  return {
    data,
    layout: paperLayout({ title: { text: "Accuracy estimated before training vs measured" }, xaxis: { title: { text: "signed optical kernels" }, type: "log" }, yaxis: { title: { text: "accuracy (%)" } }, width: 720, height: 440 }),
  };
}

export function confusionFigure(confusion: number[][], title: string): Figure {
  return {
    data: [{ type: "heatmap", z: confusion, x: confusion.map((_, i) => String(i)), y: confusion.map((_, i) => String(i)), colorscale: "Blues", colorbar: { title: { text: "test images" } } }],
    layout: paperLayout({ title: { text: title }, xaxis: { title: { text: "predicted" } }, yaxis: { title: { text: "true" }, autorange: "reversed" }, width: 480, height: 440 }),
  };
}

/** Learned PSF windows [2K, M, M]: positive parts on the first row, negative parts on the second. */
export function psfFigure(psfs: Float32Array, count: number, windowPixels: number, title: string): Figure {
  const images = stackImages(psfs, windowPixels, Array.from({ length: count }, (_, b) => b));
  return heatmapGrid(images, { cols: count / 2, title, scale: "linear", colorbarTitle: "share of the window's light" });
}

export function fabricationSweepFigure(summary: NtkdSummary): Figure {
  return {
    data: summary.datasets.map((d) => ({
      type: "scatter",
      mode: "lines+markers",
      name: d.name,
      x: d.fabrication.sweep.map((s) => s.phaseRms_rad),
      y: d.fabrication.sweep.map((s) => 100 * s.accuracy.mean),
      error_y: { type: "data", array: d.fabrication.sweep.map((s) => 100 * s.accuracy.std), visible: true },
    })),
    layout: paperLayout({ title: { text: "NTKD student vs metasurface phase error (no fine-tuning)" }, xaxis: { title: { text: "phase error rms (rad)" } }, yaxis: { title: { text: "accuracy (%)" } }, width: 620, height: 400 }),
  };
}

/** Every figure of a run, by file stem. */
export function ntkdFigures(summary: NtkdSummary, outDir: string): { name: string; figure: Figure }[] {
  const figures = [
    { name: "accuracy-per-mode", figure: accuracyPerModeFigure(summary) },
    { name: "estimate-vs-measured", figure: estimateFigure(summary) },
    { name: "accuracy-vs-fabrication-rms", figure: fabricationSweepFigure(summary) },
  ];
  for (const d of summary.datasets) {
    const first = d.seeds[0];
    figures.push({ name: `${d.name}-confusion-ntkd`, figure: confusionFigure(first.modes.ntkd.confusion, `${d.name}: NTKD student, seed ${first.seed}`) });
    const psfs = readNpy(join(outDir, d.name, "psfs-ntkd.npy"));
    figures.push({ name: `${d.name}-psfs-ntkd`, figure: psfFigure(psfs.data as Float32Array, psfs.shape[0], psfs.shape[1], `${d.name}: NTKD PSFs, + over -`) });
  }
  return figures;
}

/** Writes the figures as PNGs into <outDir>/figures (needs Chromium); returns the paths. */
export async function exportNtkdFigures(summary: NtkdSummary, outDir: string): Promise<string[]> {
  const { exportFigures } = await import("./static-export.js");
  const items = ntkdFigures(summary, outDir).map(({ name, figure }) => ({ figure, path: join(outDir, "figures", `${name}.png`) }));
  await exportFigures(items);
  return items.map((item) => item.path);
}
