/**
 * Every figure the notebooks publish, by file stem, with the notebook that makes it and one line on
 * what it shows. saveFigures refuses a name that is not here, the notebook test checks that each
 * executed notebook produced all of its entries, and the figure index is built from it.
 */
export interface CatalogueEntry {
  notebook: string;
  caption: string;
  /** Presets whose runs make this figure, when not all (e.g. a data set only the larger presets use). */
  presets?: readonly string[];
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
  "06-accuracy-per-mode": { notebook: "06-ntkd", caption: "NTKD: test accuracy of the teacher and of the optical students per training mode (mean and spread over seeds)" },
  "06-estimate-vs-measured": { notebook: "06-ntkd", caption: "NTKD: accuracy estimated before training (NTK ridge regression) against the trained students" },
  "06-accuracy-vs-fabrication-rms": { notebook: "06-ntkd", caption: "NTKD: student accuracy against the rms phase error of fabrication" },
  "06-mnist-confusion-ntkd": { notebook: "06-ntkd", caption: "NTKD: confusion matrix of the MNIST NTKD student" },
  "06-mnist-psfs-ntkd": { notebook: "06-ntkd", caption: "NTKD: the learned PSFs of the MNIST student (positive over negative parts)" },
  "06-fashion-mnist-confusion-ntkd": { notebook: "06-ntkd", caption: "NTKD: confusion matrix of the Fashion-MNIST NTKD student", presets: ["default", "paper"] },
  "06-fashion-mnist-psfs-ntkd": { notebook: "06-ntkd", caption: "NTKD: the learned PSFs of the Fashion-MNIST student", presets: ["default", "paper"] },
} as const satisfies Record<string, CatalogueEntry>;

export type FigureName = keyof typeof FIGURE_CATALOGUE;

/** The figure names a notebook (by file stem, e.g. "02-train-cnn") promises on a preset. */
export function figuresOf(notebook: string, preset: string): FigureName[] {
  return (Object.keys(FIGURE_CATALOGUE) as FigureName[]).filter((name) => {
    const entry: CatalogueEntry = FIGURE_CATALOGUE[name];
    return entry.notebook === notebook && (!entry.presets || entry.presets.includes(preset));
  });
}
