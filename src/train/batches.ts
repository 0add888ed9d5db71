import { depthBatches, subsetSplit, type DepthBatch } from "../data/batches.js";
import { createRandom, hashSeed, permutation } from "../util/random.js";
import type { DepthSplit } from "../data/types.js";

/**
 * Training batches addressed by step number, so a resumed run sees exactly the batches the uninterrupted
 * run would: step -> (epoch, position) -> slice of a permutation seeded by (seed, epoch); flips are
 * seeded by (seed, step). The incomplete last batch of an epoch is dropped.
 */
export class BatchSchedule {
  private cachedEpoch = -1;
  private order: Int32Array = new Int32Array(0);
  readonly batchesPerEpoch: number;

  constructor(private readonly split: DepthSplit, private readonly batchSize: number, private readonly seed: number, private readonly flip: boolean) {
    this.batchesPerEpoch = Math.floor(split.count / batchSize);
    if (this.batchesPerEpoch < 1) throw new Error(`batch size ${batchSize} exceeds the ${split.count} training samples; lower the batch size`);
  }

  epochOf(step: number): number {
    return Math.floor(step / this.batchesPerEpoch);
  }

  /** Sample indices of training step `step` (0-based). */
  indicesAt(step: number): Int32Array {
    const epoch = this.epochOf(step);
    if (epoch !== this.cachedEpoch) {
      this.order = permutation(this.split.count, createRandom(hashSeed(this.seed, epoch)));
      this.cachedEpoch = epoch;
    }
    const start = (step % this.batchesPerEpoch) * this.batchSize;
    return this.order.subarray(start, start + this.batchSize);
  }

  /** The batch tensors of training step `step` (the caller disposes them). */
  batchAt(step: number): DepthBatch {
    const indices = this.indicesAt(step);
    const view = subsetSplit(this.split, indices);
    return depthBatches(view, { batchSize: indices.length, flip: this.flip, seed: hashSeed(this.seed, step, 1) }).next().value as DepthBatch;
  }
}
