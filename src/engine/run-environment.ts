import { engineInfo } from "./backend.js";
import { complexOpsInfo } from "./complex/select.js";

/** What a run's summary records about where it ran: engines, wall time since `wallStart` (ms, performance.now()), peak memory. */
export function runEnvironment(wallStart: number) {
  return {
    engine: engineInfo(),
    complexOps: complexOpsInfo(),
    wallSeconds: (performance.now() - wallStart) / 1000,
    peakRss_bytes: process.resourceUsage().maxRSS * 1024,
  };
}
