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
  "02-first-layer-kernels": { notebook: "02-train-cnn", caption: "The trained first-layer kernels DKO must realise optically: one row per output channel, R G B side by side, one signed scale" },
  "03-kernels-target-vs-realised": { notebook: "03-dko", caption: "Signed first-layer kernels, one shared symmetric scale: trained (top) against realised by the metasurfaces (bottom)" },
  "03-psf-windows": { notebook: "03-dko", caption: "PSF fit windows: unit-sum target against the realised PSF, per metasurface" },
  "03-fit-error": { notebook: "03-dko", caption: "Histogram of the per-metasurface PSF fit error (NMSE over the fit window)" },
  "03-energy-outside-kernel": { notebook: "03-dko", caption: "Share of each PSF's light that falls outside the kernel window, against wavelength" },
  "03-sensor-light": { notebook: "03-dko", caption: "Where each metasurface's light lands on the array's sensor (own kernel window, halo, beyond its sub-image) and the share of its sub-image's light from neighbours", presets: ["tiny", "default"] },
  "04-phase-maps": { notebook: "04-psf-inspection", caption: "Phase maps (wrapped, radians) of the metasurfaces at the preset's fit-NMSE quantiles (best, median, worst by default)" },
  "04-psf-full": { notebook: "04-psf-inspection", caption: "The same metasurfaces' PSFs over their whole sub-image on a log scale, kernel and fit windows drawn" },
  "04-sensor-layout": { notebook: "04-psf-inspection", caption: "The sensor as the array lays it out: every metasurface's PSF at its sub-image's place (log scale)" },
  "04-crosstalk-map": { notebook: "04-psf-inspection", caption: "Cross-talk map: % of each metasurface's light landing in its neighbours' sub-images, for the array pitch" },
  "04-kernel-mosaic": { notebook: "04-psf-inspection", caption: "Target, realised and signed difference kernels for every output channel, one shared symmetric scale" },
  "04-sensitivity-wavelength": { notebook: "04-psf-inspection", caption: "PSF fit NMSE and test AbsRel against wavelength detuning (colour filters pass a band)" },
  "04-sensitivity-fabrication": { notebook: "04-psf-inspection", caption: "PSF fit NMSE and test AbsRel against per-cell fabrication error rms, mean and spread over seeded draws" },
  "04-sensitivity-quantisation": { notebook: "04-psf-inspection", caption: "PSF fit NMSE and test AbsRel against the number of phase levels (the preset's levels and continuous)" },
  "04-asm-windows": { notebook: "04-psf-inspection", caption: "Fit windows of checked metasurfaces: stage 2's window model against the angular spectrum of the same piecewise-constant cells" },
  "04-asm-nmse": { notebook: "04-psf-inspection", caption: "NMSE against the cell-model angular spectrum per checked metasurface: stage 2's window model and the paraxial Fresnel window" },
  "06-accuracy-per-mode": { notebook: "06-ntkd", caption: "NTKD: test accuracy of the teacher and of the optical students per training mode (mean and spread over seeds)" },
  "06-estimate-vs-measured": { notebook: "06-ntkd", caption: "NTKD: accuracy estimated before training (NTK ridge regression) against the trained students" },
  "06-accuracy-vs-fabrication-rms": { notebook: "06-ntkd", caption: "NTKD: student accuracy against the rms phase error of fabrication" },
  "06-mnist-confusion-ntkd": { notebook: "06-ntkd", caption: "NTKD: confusion matrix of the MNIST NTKD student" },
  "06-mnist-psfs-ntkd": { notebook: "06-ntkd", caption: "NTKD: the learned PSFs of the MNIST student (positive over negative parts)" },
  "06-fashion-mnist-confusion-ntkd": { notebook: "06-ntkd", caption: "NTKD: confusion matrix of the Fashion-MNIST NTKD student", presets: ["default", "paper"] },
  "06-fashion-mnist-psfs-ntkd": { notebook: "06-ntkd", caption: "NTKD: the learned PSFs of the Fashion-MNIST student", presets: ["default", "paper"] },
  "05-accuracy-vs-time": { notebook: "05-depth-comparison", caption: "AbsRel against optimisation seconds: DKO, the electronic network and each E2E variant at equal budgets, all seeds (E2E validation curves dotted)" },
  "05-metrics-table": { notebook: "05-depth-comparison", caption: "Test metrics per budget and method (mean ± std over seeds), E2E/DKO error ratios, and reference kernel banks with their kernel NMSE" },
  "05-cost-table": { notebook: "05-depth-comparison", caption: "Per-step seconds, memory, trainable parameters and FLOPs of stage 1, DKO stage 2 and each E2E variant, with the ratio to DKO stage 2" },
  "05-depth-examples": { notebook: "05-depth-comparison", caption: "Test scenes: RGB, ground truth, electronic, DKO and E2E depth, and their absolute errors (colour bars in metres)" },
} as const satisfies Record<string, CatalogueEntry>;

export type FigureName = keyof typeof FIGURE_CATALOGUE;

/** The names of a catalogue's entries that a notebook (by file stem, e.g. "02-train-cnn") promises on a preset. */
export function entriesOf<Name extends string>(catalogue: Record<Name, CatalogueEntry>, notebook: string, preset: string): Name[] {
  return (Object.keys(catalogue) as Name[]).filter((name) => {
    const entry = catalogue[name];
    return entry.notebook === notebook && (!entry.presets || entry.presets.includes(preset));
  });
}

/** The figure names a notebook promises on a preset. */
export function figuresOf(notebook: string, preset: string): FigureName[] {
  return entriesOf<FigureName>(FIGURE_CATALOGUE, notebook, preset);
}
