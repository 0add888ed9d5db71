import { nativeComplexRefusal } from "../engine/engine-choice.js";
import { loadNativeAddon, type NativeAddon } from "../engine/native/addon.js";

/** The addon's in-place Adam on Float32Arrays when the optics may use native code, else null. */
function nativeAdam(): NativeAddon["adamUpdateArrays"] | null {
  if (nativeComplexRefusal()) return null;
  const load = loadNativeAddon();
  return load.ok ? load.addon.adamUpdateArrays.bind(load.addon) : null;
}

/**
 * Adam with decoupled weight decay on one flat Float32Array of parameters (all metasurfaces at once).
 * The optics lives on typed arrays, so this mirrors src/train/adam.ts without tensors. With the
 * native addon the update is one threaded pass (the same arithmetic: the bias corrections are folded
 * into the step size and epsilon).
 */
export class FlatAdamW {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;
  private readonly native = nativeAdam();

  constructor(size: number, private readonly options: { learningRate: number; weightDecay: number; beta1?: number; beta2?: number; epsilon?: number }) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  /** Updates params in place; `frozen(i)` entries (e.g. inactive metasurfaces) get zero gradient already. */
  step(params: Float32Array, gradient: Float32Array): void {
    const { learningRate, weightDecay, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = this.options;
    this.t++;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    const { m, v } = this;
    if (this.native) {
      // lr (m / c1) / (sqrt(v / c2) + eps) = (lr sqrt(c2) / c1) m / (sqrt(v) + eps sqrt(c2)).
      const hyper = Float64Array.of(beta1, beta2, epsilon * Math.sqrt(c2), (learningRate * Math.sqrt(c2)) / c1, learningRate * weightDecay);
      this.native(params, m, v, gradient, hyper);
      return;
    }
    for (let i = 0; i < params.length; i++) {
      const g = gradient[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      params[i] -= learningRate * ((m[i] / c1) / (Math.sqrt(v[i] / c2) + epsilon) + weightDecay * params[i]);
    }
  }
}
