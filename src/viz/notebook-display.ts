import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Figure } from "./figure.js";
import { resolveDependency } from "../io/paths.js";
import { writeFileAtomic } from "../io/atomic.js";

let plotlyEmbedded = false;
let figureCounter = 0;

/** The file name of the shared plotly bundle next to exported notebooks. */
export const SHARED_PLOTLY_FILE = "plotly.min.js";

const plotlyBundle = () => readFileSync(resolveDependency("plotly.js-dist-min"), "utf8");

/**
 * HTML for an interactive Plotly figure in a notebook output. The plotly bundle is embedded once
 * per kernel session (the first figure), so a live notebook and its raw export work offline.
 */
export function figureHtml(figure: Figure): string {
  const id = `optocnn-fig-${Date.now().toString(36)}-${figureCounter++}`;
  const script = plotlyEmbedded ? "" : `<script>${plotlyBundle()}</script>`;
  plotlyEmbedded = true;
  const spec = JSON.stringify({ data: figure.data, layout: figure.layout ?? {} });
  return `${script}<div id="${id}"></div><script>(function(){var f=${spec};Plotly.newPlot("${id}",f.data,f.layout,{responsive:true});})();</script>`;
}

/**
 * Replaces the plotly bundle embedded in an exported notebook (4.8 MB) by a reference to one shared copy,
 * `plotly.min.js`, written next to it: every export in the folder then loads the same file, and each page
 * is only its own figures. The page keeps working offline as long as it stays in that folder.
 * Returns the export's size in bytes afterwards.
 */
export function sharePlotlyBundle(htmlPath: string): number {
  const bundle = plotlyBundle();
  const html = readFileSync(htmlPath, "utf8");
  const embedded = `<script>${bundle}</script>`;
  if (html.includes(embedded)) {
    const shared = join(dirname(htmlPath), SHARED_PLOTLY_FILE);
    if (!existsSync(shared) || statSync(shared).size !== Buffer.byteLength(bundle)) writeFileAtomic(shared, bundle);
    writeFileAtomic(htmlPath, html.split(embedded).join(`<script src="${SHARED_PLOTLY_FILE}"></script>`));
  }
  return statSync(htmlPath).size;
}
