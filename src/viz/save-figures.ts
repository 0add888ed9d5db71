import { join } from "node:path";
import type { Figure } from "./figure.js";
import { FIGURE_CATALOGUE, type FigureName } from "./figure-catalogue.js";
import { exportFigures, findChromium } from "./static-export.js";

/** The image formats every published figure is written in. */
export const FIGURE_FORMATS = ["png", "svg"] as const;

/**
 * Writes catalogued figures as PNG and SVG into `dir` (one Chromium session for all). Without Chromium
 * it says once what to install and writes nothing; returns the paths written.
 */
export async function saveFigures(dir: string, figures: Partial<Record<FigureName, Figure>>): Promise<string[]> {
  const entries = Object.entries(figures) as [FigureName, Figure][];
  for (const [name] of entries) if (!(name in FIGURE_CATALOGUE)) throw new Error(`figure "${name}" is not in src/viz/figure-catalogue.ts; add it there with a caption`);
  if (!findChromium()) {
    console.log("Chromium not installed: static figures skipped (apt-get install chromium)");
    return [];
  }
  const items = entries.flatMap(([name, figure]) => FIGURE_FORMATS.map((format) => ({ figure, path: join(dir, `${name}.${format}`) })));
  await exportFigures(items);
  return items.map((item) => item.path);
}
