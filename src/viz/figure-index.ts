import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { FIGURE_CATALOGUE, type FigureName } from "./figure-catalogue.js";
import { FIGURE_FORMATS } from "./save-figures.js";
import { TABLE_CATALOGUE, TABLE_FORMATS, type TableName } from "./table-catalogue.js";

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The title of a notebook: its first markdown heading, else its file stem. */
export function notebookTitle(path: string): string {
  const notebook = JSON.parse(readFileSync(path, "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
  const markdown = notebook.cells.find((cell) => cell.cell_type === "markdown");
  const text = markdown ? (Array.isArray(markdown.source) ? markdown.source.join("") : markdown.source) : "";
  const heading = text.split("\n").find((line) => line.startsWith("#"));
  return heading ? heading.replace(/^#+\s*/, "") : basename(path, ".ipynb");
}

function link(dir: string, file: string): string {
  if (!existsSync(join(dir, file))) return `<span class="missing">${escape(file)} (not produced)</span>`;
  const size = statSync(join(dir, file)).size;
  return `<a href="${encodeURI(file)}">${escape(file)}</a> <span class="size">${size >= 1e6 ? `${(size / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(size / 1e3))} kB`}</span>`;
}

/**
 * Writes `dir`/index.html: per notebook, its HTML export, then every catalogued figure (PNG, SVG) and
 * table (CSV, Markdown) it makes, each with the catalogue's line on what it shows. Files not (yet)
 * produced are listed as such. Returns the path.
 */
export function writeFigureIndex(dir: string, notebooks: string[]): string {
  const sections = notebooks.map((path) => {
    const stem = basename(path, ".ipynb");
    const figures = (Object.keys(FIGURE_CATALOGUE) as FigureName[]).filter((name) => FIGURE_CATALOGUE[name].notebook === stem);
    const tables = (Object.keys(TABLE_CATALOGUE) as TableName[]).filter((name) => TABLE_CATALOGUE[name].notebook === stem);
    const row = (name: string, caption: string, formats: readonly string[]) =>
      `<tr><td>${escape(caption)}</td><td>${formats.map((format) => link(dir, `${name}.${format}`)).join("<br>")}</td></tr>`;
    return [
      `<h2>${escape(notebookTitle(path))}</h2>`,
      `<p>Notebook export: ${link(dir, `${stem}.html`)} (source: notebooks/${escape(basename(path))})</p>`,
      figures.length || tables.length ? "<table><tr><th>what it shows</th><th>files</th></tr>" : "",
      ...figures.map((name) => row(name, FIGURE_CATALOGUE[name].caption, FIGURE_FORMATS)),
      ...tables.map((name) => row(name, `Table: ${TABLE_CATALOGUE[name].caption}`, TABLE_FORMATS)),
      figures.length || tables.length ? "</table>" : "",
    ].join("\n");
  });
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>optocnn figures</title>
<style>body{font-family:Helvetica,Arial,sans-serif;max-width:60em;margin:2em auto;color:#222}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}table{border-collapse:collapse}.size{color:#888;font-size:85%}.missing{color:#b00}</style>
</head><body>
<h1>optocnn: figures, tables and notebook exports</h1>
<p>Written by <code>npm run reproduce</code> (<code>optocnn reproduce</code>) on ${escape(new Date().toISOString())}. Figures come as PNG and SVG, tables as CSV and Markdown; captions are from src/viz/figure-catalogue.ts and src/viz/table-catalogue.ts.</p>
${sections.join("\n")}
</body></html>
`;
  const path = join(dir, "index.html");
  writeFileAtomic(path, html);
  return path;
}

/** The relative links an index.html holds (to check that it links every catalogued file). */
export function indexLinks(html: string): Set<string> {
  return new Set([...html.matchAll(/href="([^"]+)"/g)].map((match) => decodeURI(match[1])));
}
