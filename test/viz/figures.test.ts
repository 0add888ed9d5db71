import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as aq from "arquero";
import { ghostOrders } from "../../src/dko/ghost-orders.js";
import type { DkoSummary } from "../../src/dko/summary.js";
import { resolveDependency } from "../../src/io/paths.js";
import { ghostOrdersTable, sensorLightFigure } from "../../src/viz/dko-figures.js";
import { histogramCounts } from "../../src/viz/depth-figures.js";
import { heatmapGrid, imageRows, sharedRange } from "../../src/viz/figure.js";
import { indexLinks, writeFigureIndex } from "../../src/viz/figure-index.js";
import { kernelMosaicFigure } from "../../src/viz/kernel-figures.js";
import { SHARED_PLOTLY_FILE, sharePlotlyBundle } from "../../src/viz/notebook-display.js";
import { sensitivitySummary } from "../../src/viz/psf-figures.js";
import { saveTables } from "../../src/viz/save-tables.js";

test("histogram counts by hand", () => {
  const { centres, counts } = histogramCounts([0.1, 0.2, 0.55, 0.99, 1.0, 1.5, -0.1], 0, 1, 2);
  assert.deepEqual(centres, [0.25, 0.75]);
  // 1.0 is the upper edge (last bin); 1.5 and -0.1 are outside.
  assert.deepEqual(counts, [2, 3]);
});

test("colour scales: signed is symmetric, log leaves non-positive values blank", () => {
  assert.deepEqual(sharedRange([[[-1, 3]], [[0.5, null]]], "signed"), [-3, 3]);
  assert.deepEqual(sharedRange([[[-1, 3]], [[0.5, null]]], "linear"), [-1, 3]);
  assert.deepEqual(imageRows({ values: [100, 0, 0.001, -1], height: 2, width: 2 }, "log"), [[2, null], [-3, null]]);
});

test("a heatmap grid shares one scale and shows one colour bar with its title", () => {
  const figure = heatmapGrid(
    [{ values: [1, -2, 0, 0], height: 2, width: 2 }, { values: [0.5, 0, 0, 4], height: 2, width: 2 }],
    { cols: 2, scale: "signed", colorbarTitle: "weight (a.u.)" },
  );
  assert.deepEqual(figure.data.map((trace) => [trace.zmin, trace.zmax]), [[-4, 4], [-4, 4]]);
  assert.deepEqual(figure.data.map((trace) => trace.showscale), [true, false]);
  assert.equal((figure.data[0].colorbar as { title: { text: string } }).title.text, "weight (a.u.)");
});

test("the kernel mosaic shows target, realised and realised - target per output channel", () => {
  // [k=1, k=1, in=3, out=2]: HWIO index = c * 2 + o.
  const target = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const realised = Float32Array.from([1.5, 2, 3, 3, 5, 8]);
  const figure = kernelMosaicFigure(target, realised, [1, 1, 3, 2], "mosaic");
  const values = figure.data.map((trace) => (trace.z as number[][])[0][0]);
  // Row out 0: targets 1 3 5, realised 1.5 3 5, differences 0.5 0 0; row out 1: 2 4 6, 2 3 8, 0 -1 2.
  assert.deepEqual(values, [1, 3, 5, 1.5, 3, 5, 0.5, 0, 0, 2, 4, 6, 2, 3, 8, 0, -1, 2]);
  assert.deepEqual([figure.data[0].zmin, figure.data[0].zmax], [-8, 8]);
});

test("exports share one plotly bundle; the index links what exists and flags what does not", () => {
  const dir = mkdtempSync(join(tmpdir(), "optocnn-index-"));
  try {
    const bundle = readFileSync(resolveDependency("plotly.js-dist-min"), "utf8");
    writeFileSync(join(dir, "00-smoke.html"), `<html><div><script>${bundle}</script><div id="f"></div></div></html>`);
    const bytes = sharePlotlyBundle(join(dir, "00-smoke.html"));
    assert.ok(bytes < 200, `export still ${bytes} bytes`);
    assert.match(readFileSync(join(dir, "00-smoke.html"), "utf8"), new RegExp(`<script src="${SHARED_PLOTLY_FILE.replace(".", "\\.")}"></script>`));
    assert.equal(readFileSync(join(dir, SHARED_PLOTLY_FILE), "utf8"), bundle);
    writeFileSync(join(dir, "00-smoke.png"), "png");
    const notebook = join(dir, "00-smoke.ipynb");
    writeFileSync(notebook, JSON.stringify({ cells: [{ cell_type: "markdown", source: ["# 00 · Smoke test\n", "text"] }] }));
    const html = readFileSync(writeFigureIndex(dir, [notebook]), "utf8");
    assert.deepEqual([...indexLinks(html)].sort(), ["00-smoke.html", "00-smoke.png"]);
    assert.match(html, /<h2>00 · Smoke test<\/h2>/);
    assert.match(html, /00-smoke\.svg \(not produced\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tables: catalogued ones are written as CSV and Markdown, others refused; one draw has no spread", () => {
  const dir = mkdtempSync(join(tmpdir(), "optocnn-tables-"));
  try {
    const summary = sensitivitySummary([
      { sweep: "fabrication", setting: 0.2, seed: 1, fitNmse: 0.1, absRel: 0.3 },
      { sweep: "fabrication", setting: 0.2, seed: 2, fitNmse: 0.3, absRel: 0.5 },
      { sweep: "wavelength", setting: 10, seed: null, fitNmse: 0.2, absRel: 0.4 },
    ]);
    const rows = summary.objects() as Record<string, unknown>[];
    assert.deepEqual(rows.map((r) => [r.sweep, r.draws, r.fitNmse]), [["fabrication", 2, 0.2], ["wavelength", 1, 0.2]]);
    assert.ok(Math.abs((rows[0].fitNmseStd as number) - Math.SQRT2 * 0.1) < 1e-12);
    assert.equal(rows[1].absRelStd, null);
    const written = saveTables(dir, { "04-sensitivity": summary });
    assert.deepEqual(written.map((p) => p.slice(dir.length + 1)), ["04-sensitivity.csv", "04-sensitivity.md"]);
    const csv = readFileSync(join(dir, "04-sensitivity.csv"), "utf8");
    assert.equal(csv.split("\n")[0], "sweep,setting,draws,fitNmse,fitNmseStd,absRel,absRelStd");
    assert.ok(!csv.includes("undefined"));
    assert.throws(() => saveTables(dir, { "no-such-table": aq.from([{ a: 1 }]) } as never), /not in src\/viz\/table-catalogue\.ts/);
    assert.ok(!existsSync(join(dir, "no-such-table.csv")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the sensor-light figure stacks each active metasurface's light; the ghost table has a row per order", () => {
  const ghosts = ghostOrders({ cells: 64, cellPitch_m: 2e-6, distance_m: 0.6e-3, sensorPitch_m: 2.74e-6, wavelengths_m: [640e-9, 460e-9], imagePixels: { height: 32, width: 32 } });
  const per = { emittedKernel: [0.5, 0, 0.4], emittedHalo: [0.2, 0, 0.3], beyondSubImage: [0.3, 0, 0.3], receivedHaloShare: [0.1, 0, 0.2], receivedNeighbourShare: [0.25, 0, 0.05] };
  const summary = {
    bank: { ghostOrders: ghosts },
    kernels: [0, 1, 2].map((index) => ({ index, active: index !== 1 })),
    metrics: { sensorArray: { pitch_m: 128e-6, perMetasurface: per } },
  } as unknown as DkoSummary;
  const figure = sensorLightFigure(summary)!;
  // Three stacked bars and the neighbours' share, over the two active metasurfaces, in %.
  assert.deepEqual(figure.data.map((trace) => trace.y), [[50, 40], [20, 30], [30, 30], [25, 5]]);
  assert.deepEqual(figure.data[0].x, ["0", "2"]);
  assert.equal(sensorLightFigure({ ...summary, metrics: {} } as unknown as DkoSummary), null);
  const table = ghostOrdersTable(summary);
  assert.equal(table.numRows(), 4);
  assert.deepEqual(table.array("sub_image"), ["(2, 0)", "(2, 2)", "(1, 0)", "(1, 1)"]);
});
