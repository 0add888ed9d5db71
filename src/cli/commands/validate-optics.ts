import type { Command } from "commander";
import { z } from "zod";
import { parseOptions } from "../options.js";

const ValidateOpticsSchema = z.object({
  out: z.string().min(1, "needs a file name"),
  force: z.boolean().optional(),
  full: z.boolean().optional(),
});

/** Whether a file holds a validate-optics result: a JSON array of {name, value, expected, tolerance, pass}. */
function isValidationJson(path: string, read: (path: string) => string): boolean {
  try {
    const parsed = JSON.parse(read(path)) as unknown;
    return Array.isArray(parsed) && parsed.every((r) => r && typeof r === "object" && "name" in r && "pass" in r && "tolerance" in r);
  } catch {
    return false;
  }
}

export function register(program: Command): void {
  program
    .command("validate-optics")
    .description(
      "run the optics physics checks (window model against the cell-model angular spectrum, Airy zero, energy conservation, Fresnel square aperture, quantised gratings, adjoint dot-products, finite-difference gradients, Marechal) and write [{name, value, expected, tolerance, pass}]",
    )
    .requiredOption("--out <file>", "output JSON file (written atomically)")
    .option("--force", "replace an existing validate-optics JSON at --out")
    .option("--full", "compare the window model with the cell-model angular spectrum at the DKO default and paper geometries, all three wavelengths (minutes), instead of one small geometry")
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(ValidateOpticsSchema, raw);
      const { readFileSync } = await import("node:fs");
      const { checkOutputFile, writeOutput } = await import("../output-file.js");
      checkOutputFile({
        flag: "--out", path: options.out, force: options.force, inputs: [], what: "validate-optics JSON",
        isOwnOutput: (path) => isValidationJson(path, (p) => readFileSync(p, "utf8")),
      });
      const { initComplexOps } = await import("../../engine/complex/select.js");
      const { opticsValidationReport } = await import("../../optics/validation.js");
      const { writeJsonAtomic } = await import("../../io/atomic.js");
      const { ops } = await initComplexOps();
      const { results, agreement } = opticsValidationReport(ops, { full: options.full });
      console.log("window model vs cell-model angular spectrum (lens + seeded phase noise; unit-sum NMSE per window, energy ratio):");
      for (const row of agreement) {
        console.log(`  ${row.geometry} ${row.wavelength_nm} nm ${row.kernel} (${row.distortionTiles} tiles): NMSE ${row.nmse.toExponential(2)}, energy ratio ${row.energyRatio.toFixed(4)}`);
      }
      writeOutput("--out", options.out, () => writeJsonAtomic(options.out, results));
      for (const r of results) {
        console.log(`${r.pass ? "pass" : "FAIL"}  ${r.name}: ${r.value.toPrecision(6)} (expected ${r.expected.toPrecision(6)} +- ${r.tolerance})`);
      }
      const failed = results.filter((r) => !r.pass).length;
      console.log(`${results.length - failed}/${results.length} checks passed (complex ops: ${ops.name}); wrote ${options.out}`);
      if (failed > 0) process.exitCode = 1;
    });
}
