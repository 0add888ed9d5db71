/**
 * Every table the notebooks publish (as CSV and Markdown, next to the figures), by file stem, with the
 * notebook that makes it and one line on what it holds. saveTables refuses a name that is not here, and
 * the figure index links each.
 */
import type { CatalogueEntry } from "./figure-catalogue.js";

export const TABLE_CATALOGUE = {
  "02-depth-metrics": { notebook: "02-train-cnn", caption: "Test depth metrics of the electronic CNN and of the best constant depths" },
  "03-depth-metrics": { notebook: "03-dko", caption: "Test depth metrics: electronic first layer vs the DKO optical first layer (kernel-only model; the sensor's image formation with halo and neighbours where scored; quantised, fabrication draws)" },
  "03-ghost-orders": { notebook: "03-dko", caption: "First grating orders of the metasurface cells per wavelength: angle, landing distance and sub-image in the array, whether they reach the image the network reads" },
  "04-metasurfaces": { notebook: "04-psf-inspection", caption: "Per metasurface: kernel part, wavelength, fit NMSE, light outside the kernel, cross-talk, and where checked the NMSE of the window model and of the paraxial window against the angular spectrum" },
  "04-asm-check": { notebook: "04-psf-inspection", caption: "Angular-spectrum check per checked metasurface: the cell model, reference and window model compared, NMSE and energy ratio, phase each kernel neglects" },
  "04-sensitivity": { notebook: "04-psf-inspection", caption: "Sensitivity sweeps: mean (and spread over seeds) PSF fit NMSE and test AbsRel per wavelength detuning, fabrication error and phase levels" },
} as const satisfies Record<string, CatalogueEntry>;

export type TableName = keyof typeof TABLE_CATALOGUE;

/** The table formats every published table is written in. */
export const TABLE_FORMATS = ["csv", "md"] as const;
