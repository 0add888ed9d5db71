import { readFileSync } from "node:fs";
import type { Figure } from "./figure.js";
import { resolveDependency } from "../io/paths.js";

let plotlyEmbedded = false;
let figureCounter = 0;

/**
 * HTML for an interactive Plotly figure in a notebook output. The plotly bundle is embedded once
 * per kernel session (the first figure), so exported HTML works offline.
 */
export function figureHtml(figure: Figure): string {
  const id = `optocnn-fig-${Date.now().toString(36)}-${figureCounter++}`;
  const script = plotlyEmbedded
    ? ""
    : `<script>${readFileSync(resolveDependency("plotly.js-dist-min"), "utf8")}</script>`;
  plotlyEmbedded = true;
  const spec = JSON.stringify({ data: figure.data, layout: figure.layout ?? {} });
  return `${script}<div id="${id}"></div><script>(function(){var f=${spec};Plotly.newPlot("${id}",f.data,f.layout,{responsive:true});})();</script>`;
}
