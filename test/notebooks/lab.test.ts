import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../src/io/paths.js";
import { labMissingReason, startLab } from "../../src/pipeline/lab-server.js";
import { findChromium } from "../../src/viz/static-export.js";

test("npm run lab's server opens 00-smoke in a real browser and its first cells run in the project's kernel", async (t) => {
  const missing = labMissingReason();
  const chromium = findChromium();
  if (missing || !chromium) {
    t.skip(`lab test skipped: ${missing ?? "Chromium is not installed (apt-get install chromium)"}`);
    return;
  }
  const figures = mkdtempSync(join(tmpdir(), "optocnn-lab-"));
  const lab = await startLab({ root: PROJECT_ROOT, env: { OPTOCNN_PRESET: "tiny", OPTOCNN_FIGURES_DIR: figures, OPTOCNN_QUIET: "1" }, timeoutSeconds: 120 });
  const { chromium: browserType } = await import("playwright-core");
  const browser = await browserType.launch({ executablePath: chromium, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
  try {
    assert.match(lab.url, /^http:\/\/127\.0\.0\.1:\d+\/tree\?token=[0-9a-f]+$/);
    const page = await browser.newPage();
    // Only the local server: anything else the page asks for is refused, so the test never reaches the network.
    await page.route("**/*", (route) => (route.request().url().startsWith(lab.base) ? route.continue() : route.abort()));
    await page.goto(`${lab.base}/notebooks/00-smoke.ipynb?token=${lab.token}`);
    type NotebookPage = { Jupyter?: { notebook?: { kernel?: { is_connected(): boolean; name: string }; execute_cell_range(start: number, end: number): void; ncells(): number } } };
    await page.waitForFunction(() => (globalThis as unknown as NotebookPage).Jupyter?.notebook?.kernel?.is_connected() === true, undefined, { timeout: 120_000 });
    assert.equal(await page.evaluate(() => (globalThis as unknown as NotebookPage).Jupyter!.notebook!.kernel!.name), "tslab");
    // The first six cells: engine line, the box-filter check and the plotted figure (markdown between them).
    await page.evaluate(() => (globalThis as unknown as NotebookPage).Jupyter!.notebook!.execute_cell_range(0, 6));
    await page.locator(".output_area .js-plotly-plot").first().waitFor({ state: "attached", timeout: 300_000 });
    const outputs = await page.locator(".output_area").allInnerTexts();
    const text = outputs.join("\n");
    assert.match(text, /engine: (node|native|wasm|cpu) \(tfjs backend \w+\)/);
    assert.match(text, /centre of smoothed ramp: 12\.0000 \(expected 12\.0000\)/);
    assert.ok((await page.locator(".output_area .js-plotly-plot .main-svg").count()) > 0, "the figure cell's Plotly output has no rendered SVG");
  } finally {
    await browser.close();
    await lab.stop();
    rmSync(figures, { recursive: true, force: true });
  }
});
