import { setTimeout as sleep } from "node:timers/promises";
import type { TorchLayout, TorchPeer } from "./torch-peer.js";
import { createStepSession, median, stepTiming, timeOneStep, type StepTiming } from "./train-step.js";

/** Consecutive steps one side takes before the other's turn. */
export const STEPS_PER_TURN = 3;
/**
 * Idle time at each change of turn. OpenMP workers keep spinning for a while after their last parallel
 * region (libgomp's default spin count lasts milliseconds), so without a pause each side's first step
 * would share the cores with the other process's spinning threads.
 */
const HANDOVER_MS = 50;
const TORCH_LAYOUTS: TorchLayout[] = ["channelsLast", "nchw"];

export interface InterleavedTiming {
  ours: StepTiming;
  /** Median ms of a PyTorch step per memory layout, and every timed step. */
  torch: Record<TorchLayout, { medianMs: number; stepsMs: number[] }>;
}

/**
 * Our U-Net step and PyTorch's, timed in alternating turns of STEPS_PER_TURN steps until each side has
 * `steps`, so both medians come from the same minutes of a machine whose speed drifts.
 */
export async function timeInterleaved(peer: TorchPeer, size: number, batch: number, steps: number, warmup: number): Promise<InterleavedTiming> {
  const session = createStepSession(size, batch);
  try {
    for (let i = 0; i < warmup; i++) await session.step();
    for (const layout of TORCH_LAYOUTS) await peer.timeSteps(size, layout, 0, warmup);
    const ours: number[] = [];
    const torch: Record<TorchLayout, number[]> = { channelsLast: [], nchw: [] };
    while (ours.length < steps) {
      const turn = Math.min(STEPS_PER_TURN, steps - ours.length);
      await sleep(HANDOVER_MS);
      for (let i = 0; i < turn; i++) ours.push(await timeOneStep(session));
      for (const layout of TORCH_LAYOUTS) {
        await sleep(HANDOVER_MS);
        torch[layout].push(...(await peer.timeSteps(size, layout, turn, warmup)));
      }
    }
    const summary = (stepsMs: number[]) => ({ medianMs: median(stepsMs), stepsMs });
    return { ours: stepTiming(size, batch, ours), torch: { channelsLast: summary(torch.channelsLast), nchw: summary(torch.nchw) } };
  } finally {
    session.dispose();
  }
}
