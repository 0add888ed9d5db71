import { initComplexOps } from "../engine/complex/select.js";
import { loadNativeAddon } from "../engine/native/addon.js";
import { presetDkoConfig } from "../pipeline/preset-configs.js";
import type { PresetName } from "../pipeline/presets.js";
import { OpticsBank } from "../dko/optics-bank.js";
import type { FresnelWindowOperator } from "../optics/fresnel-window.js";
import { synthesizeBank } from "../dko/synthesize.js";
import { kernelTargetsFrom } from "../dko/targets.js";
import { createRandom } from "../util/random.js";

export interface DkoStepTiming {
  preset: PresetName;
  metasurfaces: number;
  cells: number;
  /** Window samples per side (fit window pixels x samples per pixel). */
  windowSamples: number;
  chunks: number;
  /** One optimisation step of every metasurface (forward, loss, vjp, Adam), summed over the chunks. */
  stepMs: number;
  /** The window transform alone for every metasurface: forward and adjoint products with their fused phase-input passes. */
  windowProductMs: number;
  /**
   * Floating-point operations of those products per step done densely (the window matrices S wide), counted
   * at 8 per complex multiply-add (they run as three real products, 6 per multiply-add): the GFLOP/s below
   * are rates of this count, the work the floor's products do.
   */
  gflopPerStep: number;
  /** The rank of the window matrices' factors per wavelength of the bank (m -> rank), and the GFLOP per step the factored products do, counted likewise. */
  factorRanks: Record<string, number>;
  factoredGflopPerStep: number;
  /** gflopPerStep / stepMs and / windowProductMs. */
  stepGflops: number;
  windowProductGflops: number;
  /**
   * The compute floor of the dense transform measured in the same run: its x-side tile products of one
   * chunk alone (both directions, cache-resident operands, threaded as the fused passes run them), their
   * GFLOP/s, and gflopPerStep at that rate; null without the native addon.
   */
  tileProductGflops: number | null;
  floorMs: number | null;
  /** stepMs / floorMs. */
  stepOverFloor: number | null;
  /** Peak resident memory of the process after the run. */
  peakRssMiB: number;
  complexOps: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Times the DKO synthesis of a preset's full bank (64 kernels for the paper preset: 384 metasurfaces)
 * through the real chunked path (synthesizeBank) with `steps` steps per chunk, targets from seeded
 * random kernels. A bank step is the sum over chunks of each chunk's median step (the first step,
 * which creates primitives and buffers, is not counted).
 */
export async function benchDkoStep(preset: PresetName, steps: number): Promise<DkoStepTiming> {
  const { ops } = await initComplexOps();
  const config = presetDkoConfig(preset);
  const shape = { kernelSize: 7, inChannels: 3, outChannels: preset === "paper" ? 64 : 16 };
  const bank = new OpticsBank(config.optics, shape);
  const random = createRandom(3);
  const targets = kernelTargetsFrom(Float32Array.from({ length: 49 * 3 * shape.outChannels }, () => random() - 0.5), shape);
  const windowTargets = bank.targetWindows(targets.targets).data;
  const stepTimes = new Map<number, number[]>();
  let last = 0;
  await synthesizeBank({
    bank,
    targets: windowTargets,
    active: targets.active,
    optimiser: { ...config.optimiser, steps, patience: steps + 1 },
    onProgress: (event) => {
      const now = performance.now();
      if (event.step >= 2) stepTimes.set(event.chunk, [...(stepTimes.get(event.chunk) ?? []), now - last]);
      last = now;
    },
  });
  const stepMs = [...stepTimes.values()].reduce((sum, times) => sum + median(times), 0);

  // The window transform alone (its products and the fused phase-input passes around them), on one chunk, scaled to the bank.
  const chunk = bank.chunks()[0];
  const model = bank.model("unit-sum", bank.metasurface, chunk);
  const operator = model.operator as FresnelWindowOperator;
  const N = bank.optics.cells;
  const S = operator.outputSize;
  const transform = operator.phaseInput(null);
  // One metasurface of each wavelength: the ranks depend on the wavelength and the geometry only.
  const firstOfEach = [...new Map(bank.wavelengths_m.map((w, b) => [w, b])).values()];
  const factorRanks = Object.fromEntries(
    [...(bank.model("unit-sum", bank.metasurface, firstOfEach).operator as FresnelWindowOperator).phaseInput(null).factorRanks].map(([w, rank]) => [w.toExponential(3), rank]),
  );
  const phase = Float32Array.from({ length: chunk.length * N * N }, () => 6 * random());
  const gradient = { re: Float32Array.from({ length: chunk.length * S * S }, () => random() - 0.5), im: new Float32Array(chunk.length * S * S) };
  const gradPhase = new Float32Array(phase.length);
  const trained = new Array<boolean>(chunk.length).fill(true);
  const times: number[] = [];
  for (let i = 0; i < 4; i++) {
    const start = performance.now();
    transform.forward(phase);
    transform.adjoint(gradient, phase, { kind: "gradient", out: gradPhase, trained });
    if (i > 0) times.push(performance.now() - start);
  }
  const windowProductMs = (median(times) * bank.count) / chunk.length;
  const tileProductGflops = tileProductRate(operator, chunk.length, random);
  // Forward and adjoint, 8 flops per complex multiply-add.
  const gflopPerStep = (bank.count * 2 * 8 * operator.multiplyAddsPerField(0)) / 1e9;
  const floorMs = tileProductGflops === null ? null : gflopPerStep / tileProductGflops * 1000;
  return {
    preset,
    metasurfaces: bank.count,
    cells: N,
    windowSamples: S,
    chunks: bank.chunks().length,
    stepMs,
    windowProductMs,
    gflopPerStep,
    factorRanks,
    factoredGflopPerStep: bank.wavelengths_m.reduce((sum, w) => sum + 2 * 8 * operator.multiplyAddsPerField(factorRanks[w.toExponential(3)]), 0) / 1e9,
    stepGflops: gflopPerStep / (stepMs / 1000),
    windowProductGflops: gflopPerStep / (windowProductMs / 1000),
    tileProductGflops,
    floorMs,
    stepOverFloor: floorMs === null ? null : stepMs / floorMs,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    complexOps: ops.name,
  };
}

/** GFLOP/s of the x-side tile products of `items` fields alone (median of five), or null without the native addon. */
function tileProductRate(operator: FresnelWindowOperator, items: number, random: () => number): number | null {
  const load = loadNativeAddon();
  if (!load.ok) return null;
  const N = operator.inputSize;
  const S = operator.outputSize;
  const bands = operator.bandStarts.length - 1;
  const shape = Int32Array.from([items, N, N * N, bands, S, S * S, 0]);
  const transforms = Float32Array.from({ length: 4 * S * N * bands }, () => random() - 0.5);
  const seconds = new Float64Array(1);
  const rates = Array.from({ length: 5 }, () => {
    load.addon.phaseWindowProductSeconds(shape, operator.bandStarts, transforms, seconds);
    return (items * 8 * 2 * N * N * S) / 1e9 / seconds[0];
  });
  return median(rates);
}
