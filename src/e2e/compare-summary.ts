import { DEPTH_METRIC_NAMES, type DepthMetrics } from "../eval/depth-metrics.js";
import type { E2eVariant } from "./config.js";

/**
 * The numbers `optocnn compare` reports, as plain data: per budget factor and seed every method's test
 * metrics, kernel-bank NMSE and elapsed optimisation seconds; the ratio E2E error / DKO error (AbsRel,
 * RMSE) with mean and spread over seeds; the reference kernel banks; the cost table.
 */
export const COMPARE_SUMMARY_FORMAT = "optocnn-compare/1";

export interface MethodResult {
  /** "electronic" (stage 1), "dko", or "e2e-<variant>". */
  method: string;
  /** Optimisation seconds the method spent in total (stage 1 included when it builds on it). */
  elapsedSeconds: number;
  steps: number;
  test: DepthMetrics;
  /** NMSE of the method's kernels against the stage-1 kernels of the same seed. */
  kernelBankNmse: number;
  /** The same network with the sensor's image formation (optical methods, when compare.sensorArray asks). */
  sensorTest?: DepthMetrics;
}

export interface ReferenceResult {
  reference: string;
  kernelBankNmse: number;
  test: DepthMetrics;
}

export interface CurvePoint {
  method: string;
  elapsedSeconds: number;
  split: "val" | "test";
  metrics: DepthMetrics;
}

export interface SeedResult {
  seed: number;
  /** DKO's spend at this factor: stage-1 plus stage-2 optimisation seconds; every E2E run got the same. */
  budgetSeconds: number;
  stage1Seconds: number;
  methods: MethodResult[];
  references: ReferenceResult[];
  curve: CurvePoint[];
}

export interface Spread {
  mean: number;
  std: number;
  min: number;
  max: number;
  values: number[];
}

export interface BudgetResult {
  factor: number;
  seeds: SeedResult[];
  /** Per E2E variant: E2E error / DKO error per seed, summarised (sensorAbsRel: both with the sensor's image formation). */
  ratios: Record<string, { absRel: Spread; rmse: Spread; sensorAbsRel?: Spread }>;
  /** Per method: each metric summarised over seeds. */
  metrics: Record<string, Record<keyof DepthMetrics | "kernelBankNmse" | "elapsedSeconds", Spread>>;
}

export interface CostRow {
  method: string;
  secondsPerStep: Spread;
  /** Peak tensor memory of the stage (tf.profile) plus the optics' working arrays (counted from the PSF model). */
  peakMemory_bytes: number;
  trainableParameters: number;
  flopsPerStep: number;
  /** This method's per-step seconds and FLOPs over DKO stage 2's. */
  ratioToDkoStage2: { seconds: number; flops: number };
}

/** Sample mean and standard deviation (n - 1; 0 for one value), with the range. */
export function spreadOf(values: number[]): Spread {
  if (values.length === 0) throw new Error("spreadOf: no values");
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values), values };
}

/** Ratios and per-metric spreads of one budget factor's seeds. */
export function summariseBudget(factor: number, seeds: SeedResult[], variants: readonly E2eVariant[]): BudgetResult {
  const methodOf = (seed: SeedResult, method: string) => {
    const found = seed.methods.find((m) => m.method === method);
    if (!found) throw new Error(`seed ${seed.seed}: no result for ${method}`);
    return found;
  };
  const ratios: BudgetResult["ratios"] = {};
  for (const variant of variants) {
    const method = `e2e-${variant}`;
    const sensorScored = seeds.every((s) => methodOf(s, method).sensorTest && methodOf(s, "dko").sensorTest);
    ratios[method] = {
      absRel: spreadOf(seeds.map((s) => methodOf(s, method).test.absRel / methodOf(s, "dko").test.absRel)),
      rmse: spreadOf(seeds.map((s) => methodOf(s, method).test.rmse / methodOf(s, "dko").test.rmse)),
      ...(sensorScored ? { sensorAbsRel: spreadOf(seeds.map((s) => methodOf(s, method).sensorTest!.absRel / methodOf(s, "dko").sensorTest!.absRel)) } : {}),
    };
  }
  const metrics: BudgetResult["metrics"] = {};
  for (const method of seeds[0].methods.map((m) => m.method)) {
    const results = seeds.map((s) => methodOf(s, method));
    const entry = {} as BudgetResult["metrics"][string];
    for (const name of DEPTH_METRIC_NAMES) entry[name] = spreadOf(results.map((r) => r.test[name]));
    entry.kernelBankNmse = spreadOf(results.map((r) => r.kernelBankNmse));
    entry.elapsedSeconds = spreadOf(results.map((r) => r.elapsedSeconds));
    metrics[method] = entry;
  }
  return { factor, seeds, ratios, metrics };
}

const CSV_COLUMNS = ["method", "budget_factor", "seed", "elapsed_seconds", "split", ...DEPTH_METRIC_NAMES];

/** metrics.csv: every accuracy-versus-time point (E2E validation curves, then each method's final test point). */
export function curvesCsv(budgets: BudgetResult[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const budget of budgets) {
    for (const seed of budget.seeds) {
      for (const point of seed.curve) {
        lines.push([point.method, budget.factor, seed.seed, point.elapsedSeconds.toFixed(3), point.split, ...DEPTH_METRIC_NAMES.map((k) => point.metrics[k])].join(","));
      }
    }
  }
  return lines.join("\n") + "\n";
}
