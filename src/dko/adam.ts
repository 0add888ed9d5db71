/**
 * Adam with decoupled weight decay on one flat Float32Array of parameters (all metasurfaces at once).
 * The optics lives on typed arrays, so this mirrors src/train/adam.ts without tensors.
 */
export class FlatAdamW {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;

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
    for (let i = 0; i < params.length; i++) {
      const g = gradient[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      params[i] -= learningRate * ((m[i] / c1) / (Math.sqrt(v[i] / c2) + epsilon) + weightDecay * params[i]);
    }
  }
}
