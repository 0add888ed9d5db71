import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { jupyterMissingReason, listNotebooks, runNotebook } from "../../src/pipeline/notebook-runner.js";
import { PROJECT_ROOT } from "../../src/io/paths.js";
import { FIGURE_CATALOGUE, figuresOf } from "../../src/viz/figure-catalogue.js";
import { indexLinks } from "../../src/viz/figure-index.js";
import { SHARED_PLOTLY_FILE } from "../../src/viz/notebook-display.js";
import { publishNotebookExports } from "../../src/viz/publish-exports.js";
import { FIGURE_FORMATS } from "../../src/viz/save-figures.js";
import { tablesOf } from "../../src/viz/save-tables.js";
import { TABLE_CATALOGUE, TABLE_FORMATS } from "../../src/viz/table-catalogue.js";
import { findChromium } from "../../src/viz/static-export.js";

/** Width and height from a PNG's IHDR chunk, or null when the bytes are not a PNG. */
function pngSize(bytes: Buffer): { width: number; height: number } | null {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature) || bytes.toString("ascii", 12, 16) !== "IHDR") return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function assertValidImage(path: string): void {
  assert.ok(existsSync(path), `missing figure ${path}`);
  const bytes = readFileSync(path);
  if (path.endsWith(".png")) {
    const size = pngSize(bytes);
    assert.ok(size && size.width > 0 && size.height > 0, `${path} is not a valid PNG`);
  } else {
    const text = bytes.toString("utf8");
    assert.match(text, /^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/, `${path} does not start an SVG document`);
    assert.match(text, /<\/svg>\s*$/, `${path} is not a complete SVG document`);
  }
}

/** Every notebook the catalogues name exists in notebooks/ (a renamed notebook would orphan its figures). */
test("the figure and table catalogues name only existing notebooks", () => {
  const stems = new Set(listNotebooks(join(PROJECT_ROOT, "notebooks")).map((path) => basename(path, ".ipynb")));
  for (const entry of [...Object.values(FIGURE_CATALOGUE), ...Object.values(TABLE_CATALOGUE)]) assert.ok(stems.has(entry.notebook), `catalogued notebook ${entry.notebook} is not in notebooks/`);
});

test("every notebook runs headless on the tiny preset and writes the figures and tables it promises, all linked from index.html", async (t) => {
  const missing = jupyterMissingReason();
  if (missing) {
    t.skip(`notebook test skipped: ${missing}`);
    return;
  }
  const outDir = mkdtempSync(join(tmpdir(), "optocnn-nb-"));
  const chromium = findChromium();
  try {
    const notebooks = listNotebooks(join(PROJECT_ROOT, "notebooks"));
    for (const notebook of notebooks) {
      const stem = basename(notebook, ".ipynb");
      const result = await runNotebook(notebook, { root: PROJECT_ROOT, outDir, timeoutSeconds: 600, env: { OPTOCNN_PRESET: "tiny", OPTOCNN_FIGURES_DIR: outDir } });
      assert.ok(result.ok, `${stem} failed:\n${result.error}`);
      t.diagnostic(`${stem}: ran in ${result.seconds.toFixed(1)} s`);
      if (chromium) for (const name of figuresOf(stem, "tiny")) for (const format of FIGURE_FORMATS) assertValidImage(join(outDir, `${name}.${format}`));
      for (const name of tablesOf(stem)) {
        const csv = readFileSync(join(outDir, `${name}.csv`), "utf8").trim().split("\n");
        assert.ok(csv.length >= 2, `${name}.csv has no data rows`);
        assert.ok(!/undefined|NaN/.test(csv.join("\n")), `${name}.csv holds undefined or NaN cells`);
        assert.match(readFileSync(join(outDir, `${name}.md`), "utf8"), /^\|.*\|$/m, `${name}.md holds no Markdown table`);
      }
      if (stem !== "00-smoke") continue;
      const html = readFileSync(result.html, "utf8");
      // The conv cell computes the centre of a box-filtered ramp; 12 proves tfjs ran inside the kernel.
      assert.match(html, /centre of smoothed ramp: 12\.0000 \(expected 12\.0000\)/);
      // The kernel must get the same engine as the CLI: a native addon that loads in tsx but not in tslab
      // would silently train notebooks on plain wasm.
      const info = spawnSync(process.execPath, [join(PROJECT_ROOT, "bin", "optocnn.mjs"), "info"], { encoding: "utf8", env: { ...process.env, OPTOCNN_QUIET: "1" } });
      assert.equal(info.status, 0, info.stderr);
      const cliEngine = (JSON.parse(info.stdout) as { engine: string }).engine;
      assert.match(html, new RegExp(`engine: ${cliEngine} `));
    }
    const { index, exports } = publishNotebookExports(outDir, notebooks);
    const links = indexLinks(readFileSync(index, "utf8"));
    const promised = [
      ...notebooks.map((path) => `${basename(path, ".ipynb")}.html`),
      ...(chromium ? notebooks.flatMap((path) => figuresOf(basename(path, ".ipynb"), "tiny")).flatMap((name) => FIGURE_FORMATS.map((format) => `${name}.${format}`)) : []),
      ...Object.keys(TABLE_CATALOGUE).flatMap((name) => TABLE_FORMATS.map((format) => `${name}.${format}`)),
    ];
    for (const file of promised) assert.ok(links.has(file), `index.html does not link ${file}`);
    for (const link of links) assert.ok(existsSync(join(outDir, link)), `index.html links ${link}, which does not exist`);
    // One shared plotly bundle instead of one per export keeps each page to its own figures.
    assert.ok(existsSync(join(outDir, SHARED_PLOTLY_FILE)));
    for (const e of exports) {
      assert.ok(e.bytes < 5e6, `${e.html} is ${(e.bytes / 1e6).toFixed(1)} MB (aim: under 5 MB)`);
      t.diagnostic(`${basename(e.html)}: ${(e.bytes / 1e6).toFixed(2)} MB`);
    }
    if (!chromium) t.diagnostic("Chromium not installed: figure files not checked (apt-get install chromium)");
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
