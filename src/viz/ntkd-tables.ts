import * as aq from "arquero";
import type { NtkdSummary } from "../ntkd/run.js";

/** Tables of an NTKD run (src/ntkd/run.ts summary); accuracies in %, mean ± sample std over seeds. */
const pct = (s: { mean: number; std: number }) => `${(100 * s.mean).toFixed(1)} ± ${(100 * s.std).toFixed(1)}`;

export function accuracyTable(summary: NtkdSummary): aq.ColumnTable {
  return aq.from(
    summary.datasets.map((d) => ({
      dataset: d.name,
      seeds: d.accuracy.teacher.values.length,
      teacher: pct(d.accuracy.teacher),
      "no transfer": pct(d.accuracy.none),
      KD: pct(d.accuracy.kd),
      NTKD: pct(d.accuracy.ntkd),
      DKO: pct(d.accuracy.dko),
      "fabricated (NTKD student)": pct(d.fabrication.fabricated),
      "+ task fine-tune": pct(d.fabrication.finetuneTask),
      "+ NTKD fine-tune": pct(d.fabrication.finetuneNtkd),
    })),
  );
}

/** The estimate before training per kernel count, and the trained students at the trained count. */
export function estimateTable(summary: NtkdSummary): aq.ColumnTable {
  return aq.from(
    summary.datasets.flatMap((d) =>
      d.estimates.map((e) => {
        const trained = e.kernels === d.estimateVsMeasured.kernels;
        const measured = (mode: "none" | "kd" | "ntkd" | "dko") => (trained ? pct(d.accuracy[mode]) : "");
        return {
          dataset: d.name,
          kernels: e.kernels,
          "fits layout": e.fitsLayout ? `yes (max ${d.layout.signedKernels})` : `no (max ${d.layout.signedKernels})`,
          "NTK ridge estimate": (100 * e.accuracy).toFixed(1),
          ridge: e.ridge,
          "no transfer": measured("none"),
          KD: measured("kd"),
          NTKD: measured("ntkd"),
          DKO: measured("dko"),
        };
      }),
    ),
  );
}
