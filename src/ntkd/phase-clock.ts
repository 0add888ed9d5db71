/**
 * Wall seconds per named phase of a run (teacher, each mode, evaluation, fabrication, ...), summed over
 * the phase's occurrences: the breakdown an NTKD summary records, so a budget can be cut where it goes.
 */
export type PhaseSeconds = Record<string, number>;

export class PhaseClock {
  readonly seconds: PhaseSeconds = {};

  add(phase: string, seconds: number): void {
    this.seconds[phase] = (this.seconds[phase] ?? 0) + seconds;
  }

  /** Runs `work` and adds its wall time to `phase` (also when it throws). */
  async time<T>(phase: string, work: () => T | Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.add(phase, (performance.now() - start) / 1000);
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
