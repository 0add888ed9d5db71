import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { EngineInfo } from "../engine/backend.js";
import { DepthEvalProtocolSchema, type DepthEvalProtocol } from "../eval/depth-protocol.js";
import type { SetMetrics } from "../eval/evaluate-depth.js";
import { SetMetricsSchema } from "../eval/set-metrics-schema.js";
import { DkoConfigSchema, type DkoConfig } from "./config.js";
import type { WindowModelValidity } from "../optics/window-validity.js";
import type { KernelFit } from "./fit-metrics.js";
import type { GhostOrderReport } from "./ghost-orders.js";
import type { SensorArrayEvaluation } from "./sensor-report.js";

/** /3: bank.ghostOrders, metrics.sensorArray (the sensor's image formation) and warnings. */
export const DKO_SUMMARY_FORMAT = "optocnn-dko/3";

type Draws = { seed: number; test: SetMetrics }[];

/** summary.json of a DKO result (written by src/dko/run.ts). */
export interface DkoSummary {
  format: typeof DKO_SUMMARY_FORMAT;
  stage1Run: string;
  data: string;
  config: DkoConfig;
  bank: {
    metasurfaces: number;
    active: number;
    order: string;
    wavelengths_m: number[];
    kernelSize: number;
    fitWindowPixels: number;
    subsamplesPerPixel: number;
    aperture_m: number;
    parameterMeaning: string;
    validity: WindowModelValidity;
    /** Where the cells' first grating orders land in the array, and whether the sampling rule holds (ghost-orders.ts). */
    ghostOrders: GhostOrderReport;
  };
  synthesis: {
    steps: number;
    stoppedEarly: boolean;
    seconds: number;
    /** Metasurfaces are fitted in chunks with their own early stopping; a step is one of the whole bank. */
    chunks: number;
    bankSteps: number;
    secondsPerStep: number;
    peakRss_bytes: number;
    initialLoss: number;
    finalLoss: number;
    meanNmse: number;
    meanCorrelation: number;
    meanEnergyOutsideKernel: number;
    meanKernelEfficiency: number;
    /** ||W_realised - W||^2 / ||W||^2 of the signed kernel bank. */
    kernelBankNmse: number;
  };
  kernels: (KernelFit & { index: number; active: boolean; wavelength_m: number; scale: number; initialLoss: number; finalLoss: number; kernelEfficiency: number })[];
  metrics: {
    /** How the test split was scored (the stage-1 run's protocol). */
    evalProtocol: DepthEvalProtocol;
    testImages: number;
    electronic: SetMetrics;
    optical: SetMetrics;
    opticalQuantised?: SetMetrics;
    fabrication: Draws;
    fabricationMeanAbsRel?: number;
    finetune?: { steps: number; runDir: string; test: SetMetrics; fabrication: Draws };
    /**
     * The design's network with the sensor's image formation (halo and neighbours, sensor-formation.ts), next to
     * `optical` (the kernel-only model); present when config.evaluation.sensorArray asks for it.
     */
    sensorArray?: SensorArrayEvaluation;
  };
  /** Every warning of the result in one place: the window model's validity, ghost orders, the sensor formation's reach. */
  warnings: string[];
  engine: EngineInfo | null;
  complexOps: { name: string; fallbacks: string[] } | null;
  wallSeconds: number;
  peakRss_bytes: number;
}

const Draws = z.array(z.object({ seed: z.number(), test: SetMetricsSchema }));
const finite = z.number();
const pair = z.tuple([finite, finite]);

const GhostOrdersSchema = z
  .object({
    pitch_m: finite,
    samplingRule: z.object({ requiredDistance_m: finite, satisfied: z.boolean() }),
    orders: z.array(
      z
        .object({
          wavelength_m: finite,
          order: pair,
          angle_rad: finite,
          position_m: pair,
          subImage: pair,
          offsetInSubImage_px: pair,
          landsOn: z.enum(["own sub-image", "neighbour sub-image"]),
          reachesImage: z.boolean().nullable(),
          modelPlacementError_px: pair,
          lensFirstOrderRatio: finite,
        })
        .passthrough(),
    ),
    warning: z.string().nullable(),
  })
  .passthrough();

const shares = <K extends string>(keys: readonly K[]) => z.object(Object.fromEntries(keys.map((key) => [key, finite])) as Record<K, typeof finite>);

const SensorArraySchema = z
  .object({
    description: z.string(),
    propagation: z.enum(["window", "cell-asm"]),
    pitch_m: finite,
    spacing_m: finite,
    subImagePixels: z.number().int(),
    rings: z.number().int(),
    kernelPixels: z.number().int(),
    kernelBankNmse: finite,
    changeFromKernelOnly: finite,
    emitted: shares(["kernel", "halo", "beyondSubImage"] as const),
    received: shares(["kernel", "halo", "neighbours"] as const),
    reach: z.object({ farthestSample_m: finite, angle_rad: finite, windowModelPlacementError_px: finite, warning: z.string().nullable() }).passthrough(),
    test: SetMetricsSchema,
  })
  .passthrough();

/** What a reader relies on; other fields pass through unchecked. */
const DkoSummarySchema = z
  .object({
    format: z.literal(DKO_SUMMARY_FORMAT),
    config: DkoConfigSchema,
    bank: z.object({ metasurfaces: z.number().int(), active: z.number().int(), kernelSize: z.number().int(), fitWindowPixels: z.number().int(), wavelengths_m: z.array(finite), ghostOrders: GhostOrdersSchema }).passthrough(),
    synthesis: z.object({ steps: z.number().int(), seconds: finite, secondsPerStep: finite, meanNmse: finite, meanCorrelation: finite, meanEnergyOutsideKernel: finite, kernelBankNmse: finite }).passthrough(),
    kernels: z.array(z.object({ index: z.number().int(), active: z.boolean(), wavelength_m: finite, nmse: finite, correlation: finite, energyOutsideKernel: finite }).passthrough()),
    metrics: z
      .object({
        evalProtocol: DepthEvalProtocolSchema,
        testImages: z.number().int(),
        electronic: SetMetricsSchema,
        optical: SetMetricsSchema,
        opticalQuantised: SetMetricsSchema.optional(),
        fabrication: Draws,
        sensorArray: SensorArraySchema.optional(),
      })
      .passthrough(),
    warnings: z.array(z.string()),
  })
  .passthrough();

/** Reads <dir>/summary.json through the schema; errors name the file and the field. */
export function readDkoSummary(dir: string): DkoSummary {
  const path = join(dir, "summary.json");
  if (!existsSync(path)) throw new Error(`${dir} holds no DKO result (no summary.json); run \`optocnn synthesize\` first`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); rerun \`optocnn synthesize\` into a new --out`);
  }
  const parsed = DkoSummarySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path} is not a DKO summary of this optocnn: ${issue.path.join(".") || "(top level)"}: ${issue.message}`);
  }
  return parsed.data as unknown as DkoSummary;
}
