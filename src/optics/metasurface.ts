import type { ComplexOps, PlanarComplex } from "../engine/complex/complex-ops.js";
import { getComplexOps } from "../engine/complex/select.js";

/**
 * How a metasurface's parameters (one value per cell) become its complex transmission t at a
 * wavelength. Gradients flow as G = 2 dL/d(conj t) (the steepest-ascent direction of a real loss L in
 * the complex plane); `vjp` turns G into dL/dparams.
 */
export interface CellResponse {
  /** Writes t for one metasurface: params and out hold N*N values. */
  transmission(params: Float32Array, out: PlanarComplex): void;
  /**
   * Writes dL/dparams (N*N values) given G = 2 dL/d(conj t). `transmission`, when given, is what
   * `transmission(params)` wrote; models that need t may use it instead of recomputing it.
   */
  vjp(params: Float32Array, gradient: PlanarComplex, out: Float32Array, transmission?: PlanarComplex): void;
}

export interface MetasurfaceModel {
  /** "phase", "quantised-phase" or "nanopillar". */
  readonly kind: string;
  /** What one parameter value means, for error messages and reports. */
  readonly parameterMeaning: string;
  readonly differentiable: boolean;
  /**
   * The parameters are the phase of a unit transmission, t = exp(i params), at every wavelength: an
   * operator may then make the field itself, fused with its input pass (OpticalOperator.phaseInput).
   */
  readonly phaseOnly?: boolean;
  /** The response at one wavelength; `ops` are the complex primitives to use (default: the process-wide selection). */
  forWavelength(wavelength_m: number, ops?: ComplexOps): CellResponse;
}

/** Ideal phase per cell (radians, at each metasurface's own wavelength): t = exp(i phi). */
export class PhaseMetasurface implements MetasurfaceModel {
  readonly kind = "phase";
  readonly parameterMeaning = "phase in radians";
  readonly differentiable = true;
  readonly phaseOnly = true;
  forWavelength(_wavelength_m: number, ops: ComplexOps = getComplexOps()): CellResponse {
    return {
      transmission(params, out) {
        ops.unitPhasor(params, out);
      },
      // dt = i t dphi, so dL/dphi = Re(conj(G) i t) = Im(G conj(t)).
      vjp(params, gradient, out, transmission) {
        let t = transmission;
        if (!t) {
          t = { re: new Float32Array(params.length), im: new Float32Array(params.length) };
          ops.unitPhasor(params, t);
        }
        ops.phaseGradient(gradient, t, out);
      },
    };
  }
}

/** Wraps phase to [0, 2 pi) and rounds it to the nearest of `levels` equally spaced values. */
export function quantisePhase(phase: Float32Array, levels: number): Float32Array {
  if (!Number.isInteger(levels) || levels < 2) throw new Error(`levels must be an integer >= 2, got ${levels}`);
  const step = (2 * Math.PI) / levels;
  const out = new Float32Array(phase.length);
  for (let i = 0; i < phase.length; i++) {
    const level = Math.round(phase[i] / step);
    out[i] = (((level % levels) + levels) % levels) * step;
  }
  return out;
}

/**
 * Phase rounded to `levels` values (a multi-level fabricated surface). Hard rounding has zero gradient
 * almost everywhere, so this model is for evaluation only: optimise with PhaseMetasurface (or the
 * nanopillar table) and quantise the result.
 */
export class QuantisedPhaseMetasurface implements MetasurfaceModel {
  readonly kind = "quantised-phase";
  readonly parameterMeaning: string;
  readonly differentiable = false;
  constructor(readonly levels: number) {
    quantisePhase(new Float32Array(0), levels);
    this.parameterMeaning = `phase in radians, rounded to ${levels} levels`;
  }
  forWavelength(_wavelength_m: number, ops: ComplexOps = getComplexOps()): CellResponse {
    const levels = this.levels;
    return {
      transmission(params, out) {
        ops.unitPhasor(quantisePhase(params, levels), out);
      },
      vjp() {
        throw new Error(
          `quantised-phase (${levels} levels) has no gradient (rounding is flat almost everywhere): optimise a phase or nanopillar metasurface, then quantise`,
        );
      },
    };
  }
}
