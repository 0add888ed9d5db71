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
  "02-first-layer-kernels": { notebook: "02-train-cnn", caption: "The trained first-layer kernels DKO must realise optically: one row per output channel, R G B side by side, one signed scale" },
  "03-kernels-target-vs-realised": { notebook: "03-dko", caption: "Signed first-layer kernels, one shared symmetric scale: trained (top) against realised by the metasurfaces (bottom)" },
  "03-psf-windows": { notebook: "03-dko", caption: "PSF fit windows: unit-sum target against the realised PSF, per metasurface" },
  "03-fit-error": { notebook: "03-dko", caption: "Histogram of the per-metasurface PSF fit error (NMSE over the fit window)" },
  "03-energy-outside-kernel": { notebook: "03-dko", caption: "Share of each PSF's light that falls outside the kernel window, against wavelength" },
  "04-phase-maps": { notebook: "04-psf-inspection", caption: "Phase maps (wrapped, radians) of the best, median and worst fitted metasurfaces" },
  "04-psf-full": { notebook: "04-psf-inspection", caption: "The same metasurfaces' PSFs over their whole sub-image on a log scale, kernel and fit windows drawn" },
  "04-sensor-layout": { notebook: "04-psf-inspection", caption: "The sensor as the array lays it out: every metasurface's PSF at its sub-image's place (log scale)" },
  "04-crosstalk-map": { notebook: "04-psf-inspection", caption: "Cross-talk map: % of each metasurface's light landing in its neighbours' sub-images, for the array pitch" },
  "04-kernel-mosaic": { notebook: "04-psf-inspection", caption: "Target, realised and signed difference kernels for every output channel, one shared symmetric scale" },
  "04-sensitivity-wavelength": { notebook: "04-psf-inspection", caption: "PSF fit NMSE and test AbsRel against wavelength detuning (colour filters pass a band)" },
  "04-sensitivity-fabrication": { notebook: "04-psf-inspection", caption: "PSF fit NMSE and test AbsRel against per-cell fabrication error rms, mean and spread over seeded draws" },
  "04-sensitivity-quantisation": { notebook: "04-psf-inspection", caption: "PSF fit NMSE and test AbsRel against the number of phase levels (2, 4, 8, 16, continuous)" },
  "04-asm-windows": { notebook: "04-psf-inspection", caption: "Fit windows of checked metasurfaces: the Fresnel model stage 2 optimised against angular-spectrum propagation" },
  "04-asm-nmse": { notebook: "04-psf-inspection", caption: "NMSE of the Fresnel window against the angular spectrum per checked metasurface (where the paraxial model holds)" },
} as const satisfies Record<string, CatalogueEntry>;

export type FigureName = keyof typeof FIGURE_CATALOGUE;

/** The figure names a notebook (by file stem, e.g. "02-train-cnn") promises. */
export function figuresOf(notebook: string): FigureName[] {
  return (Object.keys(FIGURE_CATALOGUE) as FigureName[]).filter((name) => FIGURE_CATALOGUE[name].notebook === notebook);
}
