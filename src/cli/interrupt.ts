/**
 * Ctrl-C and SIGTERM for the long commands (train, synthesize, e2e, ntkd, compare): the first signal
 * aborts `signal`, which the running stage checks at its next safe point (a step boundary, where it
 * writes its checkpoint), and says what will be kept; a second signal quits at once. Both signals
 * are handled alike because schedulers and `timeout` send SIGTERM where a user presses Ctrl-C.
 */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** Removes the handlers; call once the stage has returned or thrown. */
  release(): void;
}

/** What the first signal does: the line to print, and whether to quit at once (nothing is being written). */
export interface StopPlan {
  message: string;
  quitNow?: boolean;
}

/** Exit status of a command stopped by a signal (128 + SIGINT), as shells report Ctrl-C. */
export const INTERRUPTED_EXIT_CODE = 130;

export function onInterrupt(command: string, plan: () => StopPlan): Interrupt {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    controller.abort();
    const { message, quitNow } = plan();
    console.error(`\noptocnn ${command}: ${signal}: ${message}${quitNow ? "" : " (again to quit at once)"}`);
    if (quitNow) process.exit(INTERRUPTED_EXIT_CODE);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    release: () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}

/** Runs `work` with the handlers installed, removing them however it ends. */
export async function withInterrupt<T>(command: string, plan: () => StopPlan, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = onInterrupt(command, plan);
  try {
    return await work(interrupt.signal);
  } finally {
    interrupt.release();
  }
}

/** Prints how the stopped command continues and sets the exit status a stopped command has. */
export function reportInterrupted(message: string): void {
  console.log(message);
  process.exitCode = INTERRUPTED_EXIT_CODE;
}
