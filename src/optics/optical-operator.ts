import type { PhaseUpdate, PlanarComplex } from "../engine/complex/complex-ops.js";

/**
 * A linear map from a batch of fields just behind the metasurfaces ([batch, inputSize, inputSize])
 * to fields on the observation plane ([batch, outputSize, outputSize]); item b uses its own wavelength.
 * Output fields are defined up to a unimodular phase factor per output sample (e.g. exp(i k z) and the
 * output chirp), which no intensity depends on. `adjoint` is the exact conjugate transpose, so
 * <forward(x), y> = <x, adjoint(y)>.
 */
export interface OpticalOperator {
  readonly inputSize: number;
  readonly outputSize: number;
  /** Pitch of the output samples in metres. */
  readonly outputPitch_m: number;
  /** Wavelength of each batch item in metres. */
  readonly wavelengths_m: readonly number[];
  forward(field: PlanarComplex): PlanarComplex;
  /** Into `out` ([batch, inputSize, inputSize], not overlapping the gradient) when given, else a new array. */
  adjoint(gradient: PlanarComplex, out?: PlanarComplex): PlanarComplex;
  /** The operator fused with the making of phase-only fields amplitude . exp(i phase), when it offers one. */
  phaseInput?(amplitude: Float32Array | null): PhaseInputTransform;
}

/**
 * forward(amplitude . exp(i phase)) and its vjp in the phase, fused: the field is made where the operator
 * reads it and made again by the adjoint, so no field is stored, and the phase gradient can be spent on an
 * optimiser step in the same pass. Same results as forward and adjoint on the built field.
 */
export interface PhaseInputTransform {
  /** U for phases [batch, inputSize, inputSize]. */
  forward(phase: Float32Array): PlanarComplex;
  /** Given G = 2 dL/d(conj U) at the same phases: dL/dphase written out, or spent on an Adam(W) step on the phases in place (PhaseUpdate). */
  adjoint(gradient: PlanarComplex, phase: Float32Array, update: PhaseUpdate): void;
  /** Per wavelength (m), the rank of the factored matrices an engine may multiply by instead of the dense ones (their width when none are). */
  readonly factorRanks: ReadonlyMap<number, number>;
}

/** Groups batch items by wavelength, so operators build one kernel per distinct wavelength. */
export function groupByWavelength(wavelengths_m: readonly number[]): { wavelength_m: number; items: number[] }[] {
  const groups = new Map<number, number[]>();
  wavelengths_m.forEach((w, b) => {
    const items = groups.get(w);
    if (items) items.push(b);
    else groups.set(w, [b]);
  });
  return [...groups.entries()].map(([wavelength_m, items]) => ({ wavelength_m, items }));
}

/** Splits a group's items into runs with a constant index step, so each run is one batched product. */
export function arithmeticRuns(items: number[]): { start: number; step: number; count: number }[] {
  const runs: { start: number; step: number; count: number }[] = [];
  let i = 0;
  while (i < items.length) {
    const start = items[i];
    if (i + 1 === items.length) {
      runs.push({ start, step: 1, count: 1 });
      break;
    }
    const step = items[i + 1] - start;
    let count = 2;
    while (i + count < items.length && items[i + count] - items[i + count - 1] === step) count++;
    runs.push({ start, step, count });
    i += count;
  }
  return runs;
}
