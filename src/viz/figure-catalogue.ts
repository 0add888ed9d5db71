/**
 * Every figure the notebooks publish, by file stem, with the notebook that makes it and one line on
 * what it shows. saveFigures refuses a name that is not here, the notebook test checks that each
 * executed notebook produced all of its entries, and the figure index is built from it.
 */
export interface CatalogueEntry {
  notebook: string;
  caption: string;
}

export const FIGURE_CATALOGUE = {
  "00-smoke": { notebook: "00-smoke", caption: "A ramp and its 3x3 box filter, computed by tfjs inside the notebook kernel" },
  "01-data-samples": { notebook: "01-data", caption: "Synthetic test scenes (RGB) over their metric depth maps" },
  "01-depth-histogram": { notebook: "01-data", caption: "Distribution of valid depths in the training split" },
  "02-training-curves": { notebook: "02-train-cnn", caption: "Stage-1 training loss and validation AbsRel against step" },
  "02-predictions": { notebook: "02-train-cnn", caption: "Test scenes, true depth and the electronic CNN's predicted depth" },
  "02-first-layer-kernels": { notebook: "02-train-cnn", caption: "The trained first-layer kernels DKO must realise optically (per output channel and colour)" },
  "03-kernels-target-vs-realised": { notebook: "03-dko", caption: "Signed first-layer kernels: trained (top) against realised by the metasurfaces (bottom)" },
  "03-psf-windows": { notebook: "03-dko", caption: "PSF fit windows: unit-sum target against the realised PSF, per metasurface" },
  "03-fit-error": { notebook: "03-dko", caption: "Histogram of the per-metasurface PSF fit error (NMSE over the fit window)" },
  "03-energy-outside-kernel": { notebook: "03-dko", caption: "Share of each PSF's light that falls outside the kernel window, against wavelength" },
  "05-accuracy-vs-time": { notebook: "05-depth-comparison", caption: "AbsRel against optimisation seconds: DKO, the electronic network and each E2E variant at equal budgets, all seeds (E2E validation curves dotted)" },
  "05-metrics-table": { notebook: "05-depth-comparison", caption: "Test metrics per budget and method (mean ± std over seeds), E2E/DKO error ratios, and reference kernel banks with their kernel NMSE" },
  "05-cost-table": { notebook: "05-depth-comparison", caption: "Per-step seconds, memory, trainable parameters and FLOPs of stage 1, DKO stage 2 and each E2E variant, with the ratio to DKO stage 2" },
  "05-depth-examples": { notebook: "05-depth-comparison", caption: "Test scenes: RGB, ground truth, electronic, DKO and E2E depth, and their absolute errors (colour bars in metres)" },
} as const satisfies Record<string, CatalogueEntry>;

export type FigureName = keyof typeof FIGURE_CATALOGUE;

/** The figure names a notebook (by file stem, e.g. "02-train-cnn") promises. */
export function figuresOf(notebook: string): FigureName[] {
  return (Object.keys(FIGURE_CATALOGUE) as FigureName[]).filter((name) => FIGURE_CATALOGUE[name].notebook === notebook);
}
