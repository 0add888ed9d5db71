import * as tf from "@tensorflow/tfjs";
import { AdamW } from "../train/adam.js";
import { buildBenchUnet, UNET_INPUT_CHANNELS, unetStepFlops } from "./unet.js";

export interface StepTiming {
  size: number;
  batch: number;
  /** Median wall time of one step (forward, backward, Adam update) after warm-up. */
  medianMs: number;
  stepsMs: number[];
  /** Counted convolution FLOPs per step / median time, in GFLOP/s. */
  gflops: number;
}

export interface StepSession {
  /** One training step; resolves when the updated weights are computed. */
  step(): Promise<void>;
  dispose(): void;
}

/**
 * The U-Net on random data with the project's Adam (lr 1e-3, as used by `optocnn train`), ready to step
 * on the current tfjs backend.
 */
export function createStepSession(size: number, batch: number): StepSession {
  const net = buildBenchUnet();
  const x = tf.randomUniform([batch, size, size, UNET_INPUT_CHANNELS], 0, 1, "float32", 11) as tf.Tensor4D;
  const target = tf.randomUniform([batch, size, size, 1], 0, 1, "float32", 12);
  const optimizer = new AdamW(net.variables);
  const names = [...net.variables.keys()];
  const weights = [...net.variables.values()];
  return {
    async step() {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.losses.meanSquaredError(target, net.apply(x)) as tf.Scalar, weights);
        optimizer.apply(new Map(names.map((name, i) => [name, grads[weights[i].name]])), 1e-3);
      });
      // Reading one weight back waits for every kernel of the step (a no-op wait on synchronous backends).
      await weights[0].data();
    },
    dispose() {
      optimizer.dispose();
      net.dispose();
      x.dispose();
      target.dispose();
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The median of the measured steps and the counted convolution throughput it implies. */
export function stepTiming(size: number, batch: number, stepsMs: number[]): StepTiming {
  const medianMs = median(stepsMs);
  return { size, batch, medianMs, stepsMs, gflops: unetStepFlops(batch, size) / (medianMs * 1e6) };
}

/** Times one step of the session. */
export async function timeOneStep(session: StepSession): Promise<number> {
  const start = performance.now();
  await session.step();
  return performance.now() - start;
}

/** Times `steps` training steps after `warmup` untimed ones (primitive creation, memory growth). */
export async function timeTrainStep(options: { size: number; batch: number; steps: number; warmup: number }): Promise<StepTiming> {
  const { size, batch, steps, warmup } = options;
  const session = createStepSession(size, batch);
  try {
    for (let i = 0; i < warmup; i++) await session.step();
    const stepsMs: number[] = [];
    for (let i = 0; i < steps; i++) stepsMs.push(await timeOneStep(session));
    return stepTiming(size, batch, stepsMs);
  } finally {
    session.dispose();
  }
}

export { median };
