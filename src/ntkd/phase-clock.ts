/**
 * Seconds per named phase of a run (teacher, each mode, evaluation, fabrication, ...), summed over the
 * phase's occurrences: the breakdown an NTKD summary records, so a budget can be cut where it goes.
 * Wall seconds, and the process's CPU seconds (all threads): on a shared machine the wall time of a
 * phase swells with the other jobs, while the CPU time of a one-thread run (OMP_NUM_THREADS=1) stays
 * close to its wall time on an idle machine.
 */
export type PhaseSeconds = Record<string, number>;

export class PhaseClock {
  readonly seconds: PhaseSeconds = {};
  readonly cpuSeconds: PhaseSeconds = {};

  add(phase: string, seconds: number, cpuSeconds?: number): void {
    this.seconds[phase] = (this.seconds[phase] ?? 0) + seconds;
    if (cpuSeconds !== undefined) this.cpuSeconds[phase] = (this.cpuSeconds[phase] ?? 0) + cpuSeconds;
  }

  /** Runs `work` and adds its wall and CPU time to `phase` (also when it throws). */
  async time<T>(phase: string, work: () => T | Promise<T>): Promise<T> {
    const start = performance.now();
    const cpu = process.cpuUsage();
    try {
      return await work();
    } finally {
      const used = process.cpuUsage(cpu);
      this.add(phase, (performance.now() - start) / 1000, (used.user + used.system) / 1e6);
    }
  }
}

/** Phase-wise sum of several breakdowns (seeds of a data set, data sets of a run). */
export function sumPhases(parts: readonly PhaseSeconds[]): PhaseSeconds {
  const total: PhaseSeconds = {};
  for (const part of parts) for (const [phase, seconds] of Object.entries(part)) total[phase] = (total[phase] ?? 0) + seconds;
  return total;
}

/** "ntkd 40, fabrication.finetuneNtkd 12, ..." (seconds, largest first): one line for logs and notebooks. */
export function formatPhases(seconds: PhaseSeconds): string {
  return Object.entries(seconds)
    .sort((a, b) => b[1] - a[1])
    .map(([phase, s]) => `${phase} ${s.toFixed(0)}`)
    .join(", ");
}
