import * as tf from "@tensorflow/tfjs";
import { adamStepAt, type AdamHyperparameters } from "../engine/adam-step.js";
import { adamUpdate, adamUpdateInPlace } from "../engine/adam-update.js";

/**
 * Adam with optional decoupled weight decay (AdamW), over named variables.
 * Its whole state is the step count and the moments m, v, so a checkpoint restores it bit for bit
 * (the bias corrections are recomputed from the step count in float64).
 */
export class AdamW {
  private stepCount = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly variables: ReadonlyMap<string, tf.Variable>,
    private readonly options: AdamHyperparameters = {},
  ) {
    for (const [name, variable] of variables) {
      // In a tidy, so that each moment is the only owner of its data (in-place updates need that).
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
    }
  }

  get step(): number {
    return this.stepCount;
  }

  /** One update with gradients keyed by the same names as the variables. */
  apply(gradients: ReadonlyMap<string, tf.Tensor>, learningRate: number): void {
    const t = this.stepCount + 1;
    const slots = [...this.variables].map(([name, variable]) => {
      const g = gradients.get(name);
      if (!g) throw new Error(`AdamW: no gradient for "${name}"`);
      return { w: variable, m: this.m.get(name)!, v: this.v.get(name)!, g };
    });
    const step = adamStepAt(t, learningRate, this.options);
    if (!adamUpdateInPlace(slots, step)) {
      tf.tidy(() => {
        for (const { w: variable, m, v, g } of slots) {
          const [w, mNext, vNext] = adamUpdate(variable, m, v, g, step);
          m.assign(mNext);
          v.assign(vNext);
          variable.assign(w);
        }
      });
    }
    this.stepCount = t;
  }

  /** Moments as "m/<name>" and "v/<name>" (views of the live variables; do not dispose). */
  stateTensors(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const name of this.variables.keys()) {
      out.set(`m/${name}`, this.m.get(name)!);
      out.set(`v/${name}`, this.v.get(name)!);
    }
    return out;
  }

  /** Restores moments written by stateTensors and the step count. */
  restore(tensors: ReadonlyMap<string, tf.Tensor>, step: number, source: string): void {
    for (const name of this.variables.keys()) {
      for (const [prefix, moments] of [["m", this.m], ["v", this.v]] as const) {
        const saved = tensors.get(`${prefix}/${name}`);
        if (!saved) throw new Error(`${source}: optimizer state lacks "${prefix}/${name}"`);
        moments.get(name)!.assign(saved);
      }
    }
    this.stepCount = step;
  }

  dispose(): void {
    for (const variable of [...this.m.values(), ...this.v.values()]) variable.dispose();
  }
}
