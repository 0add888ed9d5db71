import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { writeFigureIndex } from "./figure-index.js";
import { sharePlotlyBundle } from "./notebook-display.js";

/**
 * After notebooks were exported into `dir`: each export loads the one shared plotly bundle instead of
 * embedding it, and index.html links every export, figure and table. Returns each export's size (bytes).
 */
export function publishNotebookExports(dir: string, notebooks: string[]): { index: string; exports: { html: string; bytes: number }[] } {
  const exports = notebooks
    .map((notebook) => join(dir, `${basename(notebook, ".ipynb")}.html`))
    .filter((html) => existsSync(html))
    .map((html) => ({ html, bytes: sharePlotlyBundle(html) }));
  return { index: writeFigureIndex(dir, notebooks), exports };
}
