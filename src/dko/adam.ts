import { adamStepAt, adamUpdateFlat, type AdamHyperparameters } from "../engine/adam-step.js";

/**
 * Adam(W) on one flat Float32Array of parameters (all metasurfaces at once): the optics lives on typed
 * arrays, so this is the tensor optimiser's formula (src/engine/adam-step.ts) without tensors.
 */
export class FlatAdamW {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;

  constructor(size: number, private readonly options: AdamHyperparameters & { learningRate: number }) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  /** Updates params in place (inactive entries, e.g. metasurfaces without a kernel part, come with zero gradient). */
  step(params: Float32Array, gradient: Float32Array): void {
    this.t++;
    adamUpdateFlat(params, this.m, this.v, gradient, adamStepAt(this.t, this.options.learningRate, this.options));
  }
}
