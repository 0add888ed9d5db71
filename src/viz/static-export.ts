import { existsSync, readFileSync } from "node:fs";
import { extname } from "node:path";
import type { Figure } from "./figure.js";
import { resolveDependency } from "../io/paths.js";
import { writeFileAtomic } from "../io/atomic.js";

const CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** Finds a system Chromium (Debian's `chromium`); OPTOCNN_CHROMIUM overrides. */
export function findChromium(): string | null {
  const forced = process.env.OPTOCNN_CHROMIUM;
  if (forced) return existsSync(forced) ? forced : null;
  return CHROMIUM_PATHS.find((p) => existsSync(p)) ?? null;
}

/**
 * Renders figures to PNG or SVG (by each path's extension) with Plotly in headless Chromium.
 * One browser and one page load serve all figures, since loading plotly dominates (~1.5 s).
 */
export async function exportFigures(items: { figure: Figure; path: string; width?: number; height?: number; scale?: number }[]): Promise<void> {
  if (items.length === 0) return;
  const executablePath = findChromium();
  if (!executablePath) {
    throw new Error("static figures need Chromium: apt-get install chromium (or set OPTOCNN_CHROMIUM to a Chrome binary)");
  }
  for (const item of items) {
    const ext = extname(item.path).toLowerCase();
    if (ext !== ".png" && ext !== ".svg") throw new Error(`figure path ${item.path}: use a .png or .svg extension`);
  }
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    const plotlyPath = resolveDependency("plotly.js-dist-min");
    await page.addScriptTag({ content: readFileSync(plotlyPath, "utf8") });
    for (const item of items) {
      const format = extname(item.path).toLowerCase() === ".svg" ? "svg" : "png";
      const layout = item.figure.layout ?? {};
      const width = item.width ?? (layout.width as number | undefined) ?? 700;
      const height = item.height ?? (layout.height as number | undefined) ?? 450;
      const dataUrl = await page.evaluate(
        async ({ figure, format, width, height, scale }) => {
          const plotly = (globalThis as unknown as { Plotly: { toImage: (f: unknown, o: unknown) => Promise<string> } }).Plotly;
          return plotly.toImage({ data: figure.data, layout: figure.layout ?? {} }, { format, width, height, scale });
        },
        { figure: item.figure, format, width, height, scale: item.scale ?? 2 },
      );
      const comma = dataUrl.indexOf(",");
      const payload = dataUrl.slice(comma + 1);
      const bytes = format === "svg" ? Buffer.from(decodeURIComponent(payload), "utf8") : Buffer.from(payload, "base64");
      writeFileAtomic(item.path, bytes);
    }
  } finally {
    await browser.close();
  }
}
