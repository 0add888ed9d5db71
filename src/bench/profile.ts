import * as tf from "@tensorflow/tfjs";
import { createStepSession } from "./train-step.js";

export interface KernelTime {
  kernel: string;
  totalMs: number;
  calls: number;
  /** Share of the summed kernel time. */
  share: number;
}

/**
 * Kernel times of one training step (after one warm-up step), summed by kernel name, slowest first.
 * Uses tf.profile, which times every kernel; the step itself runs slower than unprofiled.
 */
export async function profileTrainStep(size: number, batch: number): Promise<KernelTime[]> {
  const session = createStepSession(size, batch);
  const checkFlag = "CHECK_COMPUTATION_FOR_ERRORS";
  const checking = tf.env().getBool(checkFlag);
  try {
    await session.step();
    // The NaN check reads every output back asynchronously; it would dominate the profile.
    tf.env().set(checkFlag, false);
    const info = await tf.profile(() => session.step());
    const byKernel = new Map<string, { totalMs: number; calls: number }>();
    for (const k of info.kernels) {
      const entry = byKernel.get(k.name) ?? { totalMs: 0, calls: 0 };
      entry.totalMs += Number(k.kernelTimeMs);
      entry.calls += 1;
      byKernel.set(k.name, entry);
    }
    const total = [...byKernel.values()].reduce((s, e) => s + e.totalMs, 0);
    return [...byKernel]
      .map(([kernel, e]) => ({ kernel, totalMs: e.totalMs, calls: e.calls, share: total > 0 ? e.totalMs / total : 0 }))
      .sort((a, b) => b.totalMs - a.totalMs);
  } finally {
    tf.env().set(checkFlag, checking);
    session.dispose();
  }
}

/** A fixed-width table of the top kernels for the terminal. */
export function formatProfile(times: KernelTime[], top = 15): string {
  const lines = [`${"kernel".padEnd(24)} ${"ms".padStart(9)} ${"calls".padStart(6)} ${"share".padStart(6)}`];
  for (const t of times.slice(0, top)) {
    lines.push(
      `${t.kernel.padEnd(24)} ${t.totalMs.toFixed(2).padStart(9)} ${String(t.calls).padStart(6)} ${(100 * t.share).toFixed(1).padStart(5)}%`,
    );
  }
  return lines.join("\n");
}
