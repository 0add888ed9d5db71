import type { Command } from "commander";
import { z } from "zod";

const ValidateOpticsSchema = z.object({
  out: z.string().min(1, "--out needs a file name"),
  full: z.boolean().optional(),
});

export function register(program: Command): void {
  program
    .command("validate-optics")
    .description(
      "run the optics physics checks (window model against the cell-model angular spectrum, Airy zero, energy conservation, Fresnel square aperture, quantised gratings, adjoint dot-products, finite-difference gradients, Marechal) and write [{name, value, expected, tolerance, pass}]",
    )
    .requiredOption("--out <file>", "output JSON file (written atomically)")
    .option("--full", "compare the window model with the cell-model angular spectrum at the DKO default and paper geometries, all three wavelengths (minutes), instead of one small geometry")
    .action(async (raw: Record<string, unknown>) => {
      const parsed = ValidateOpticsSchema.safeParse(raw);
      if (!parsed.success) throw new Error(`validate-optics: --out: ${parsed.error.issues[0].message}`);
      const { initComplexOps } = await import("../../engine/complex/select.js");
      const { opticsValidationReport } = await import("../../optics/validation.js");
      const { writeJsonAtomic } = await import("../../io/atomic.js");
      const { ops } = await initComplexOps();
      const { results, agreement } = opticsValidationReport(ops, { full: parsed.data.full });
      console.log("window model vs cell-model angular spectrum (lens + seeded phase noise; unit-sum NMSE per window, energy ratio):");
      for (const row of agreement) {
        console.log(`  ${row.geometry} ${row.wavelength_nm} nm ${row.kernel} (${row.distortionTiles} tiles): NMSE ${row.nmse.toExponential(2)}, energy ratio ${row.energyRatio.toFixed(4)}`);
      }
      writeJsonAtomic(parsed.data.out, results);
      for (const r of results) {
        console.log(`${r.pass ? "pass" : "FAIL"}  ${r.name}: ${r.value.toPrecision(6)} (expected ${r.expected.toPrecision(6)} +- ${r.tolerance})`);
      }
      const failed = results.filter((r) => !r.pass).length;
      console.log(`${results.length - failed}/${results.length} checks passed (complex ops: ${ops.name}); wrote ${parsed.data.out}`);
      if (failed > 0) process.exitCode = 1;
    });
}
