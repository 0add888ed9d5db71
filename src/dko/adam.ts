import { adamStepAt, adamUpdateFlat, type AdamHyperparameters, type AdamStep } from "../engine/adam-step.js";
import { nativeComplexRefusal } from "../engine/engine-choice.js";
import { largeCopy, largeFloat32Array } from "../engine/large-array.js";
import { loadNativeAddon, type NativeAddon } from "../engine/native/addon.js";

/** The moments and update count, for checkpoints. */
export interface FlatAdamState {
  m: Float32Array;
  v: Float32Array;
  t: number;
}

/** The addon's in-place Adam on Float32Arrays when the optics may use native code, else null. */
function nativeAdam(): NativeAddon["adamUpdateArrays"] | null {
  if (nativeComplexRefusal()) return null;
  const load = loadNativeAddon();
  return load.ok ? load.addon.adamUpdateArrays.bind(load.addon) : null;
}

/**
 * Adam(W) on one flat Float32Array of parameters (all metasurfaces at once): the optics lives on typed
 * arrays, so this is the tensor optimiser's formula (src/engine/adam-step.ts) without tensors; with the
 * native addon the same update runs as one threaded pass.
 */
export class FlatAdamW {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;
  private readonly native = nativeAdam();

  constructor(size: number, private readonly options: AdamHyperparameters & { learningRate: number }) {
    this.m = largeFloat32Array(size);
    this.v = largeFloat32Array(size);
  }

  /** Copies of the moments and the update count. */
  state(): FlatAdamState {
    return { m: largeCopy(this.m), v: largeCopy(this.v), t: this.t };
  }

  /** Continues from a saved state (same parameter count). */
  restore(state: FlatAdamState): void {
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) {
      throw new Error(`FlatAdamW.restore: the state holds ${state.m.length} moments, the optimiser ${this.m.length}`);
    }
    this.m.set(state.m);
    this.v.set(state.v);
    this.t = state.t;
  }

  /** Updates params in place with this step size (default: the constructor's); inactive entries (e.g. metasurfaces without a kernel part) come with zero gradient. */
  step(params: Float32Array, gradient: Float32Array, learningRate = this.options.learningRate): void {
    const { m, v, step } = this.nextStep(learningRate);
    if (this.native) this.native(params, m, v, gradient, Float64Array.of(step.beta1, step.beta2, step.epsilon, step.stepSize, step.decay));
    else adamUpdateFlat(params, m, v, gradient, step);
  }

  /**
   * For an update made inside another pass (PsfModel's fused adamStep): counts the step and hands over
   * the moments, to be updated in place, and this step's coefficients. The caller applies exactly one update.
   */
  nextStep(learningRate = this.options.learningRate): { m: Float32Array; v: Float32Array; step: AdamStep } {
    this.t++;
    return { m: this.m, v: this.v, step: adamStepAt(this.t, learningRate, this.options) };
  }
}
