/**
 * The one Adam(W) formula of optocnn, for tensors (adam-update.ts, the native in-place kernel) and for
 * flat typed arrays (the metasurface optimiser) alike:
 *   m' = b1 m + (1 - b1) g,  v' = b2 v + (1 - b2) g^2,
 *   w' = w - stepSize m' / (sqrt(v') + eps) - decay w,
 * with both bias corrections folded into stepSize = lr sqrt(1 - b2^t) / (1 - b1^t) (so eps sits on the
 * uncorrected sqrt(v'), as in Kingma & Ba's efficient form) and decoupled weight decay decay = lr wd.
 */
export interface AdamStep {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Learning rate with both bias corrections folded in: lr sqrt(1 - beta2^t) / (1 - beta1^t). */
  stepSize: number;
  /** Decoupled weight decay times the learning rate; 0 for plain Adam. */
  decay: number;
}

export interface AdamHyperparameters {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
}

/** The coefficients of update number t (1-based) at this learning rate. */
export function adamStepAt(t: number, learningRate: number, hyper: AdamHyperparameters = {}): AdamStep {
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0 } = hyper;
  if (!Number.isInteger(t) || t < 1) throw new Error(`adamStepAt: step ${t} must be a whole number >= 1`);
  return { beta1, beta2, epsilon, stepSize: (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t), decay: learningRate * weightDecay };
}

/** The update on flat arrays, in place (w, m, v of equal length; g the gradient). */
export function adamUpdateFlat(w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, step: AdamStep): void {
  const { beta1, beta2, epsilon, stepSize, decay } = step;
  if (m.length !== w.length || v.length !== w.length || g.length !== w.length) {
    throw new Error(`adamUpdateFlat: weights ${w.length}, moments ${m.length} and ${v.length}, gradient ${g.length} values must be equal`);
  }
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const mi = beta1 * m[i] + (1 - beta1) * gi;
    const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] = w[i] - stepSize * (mi / (Math.sqrt(vi) + epsilon)) - decay * w[i];
  }
}
