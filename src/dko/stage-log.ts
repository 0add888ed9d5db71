import type { DkoSummary } from "./summary.js";

/**
 * The lines a DKO result adds to its stage's log: the test metrics of the network with the kernel-only
 * model and with the sensor's image formation side by side, where the sub-images' light comes from, and
 * every warning of the summary.
 */
export function dkoLogLines(summary: DkoSummary): string[] {
  const { optical, sensorArray, testImages } = summary.metrics;
  const row = (m: { absRel: number; rmse: number; delta1: number }) => `AbsRel ${m.absRel.toFixed(4)}, RMSE ${m.rmse.toFixed(4)}, delta1 ${m.delta1.toFixed(4)}`;
  const lines = [`DKO test (${testImages} images), kernel-only model: ${row(optical)}`];
  if (sensorArray) {
    const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
    lines.push(
      `DKO test, sensor array (${sensorArray.description}): ${row(sensorArray.test)}`,
      `  a sub-image's light under a uniform scene: ${pct(sensorArray.received.kernel)} kernel, ${pct(sensorArray.received.halo)} halo, ${pct(sensorArray.received.neighbours)} from neighbours; ` +
        `each metasurface puts ${pct(sensorArray.emitted.kernel)} of its light in its kernel, ${pct(sensorArray.emitted.halo)} in its halo, ${pct(sensorArray.emitted.beyondSubImage)} beyond its sub-image`,
    );
  }
  for (const warning of summary.warnings) lines.push(`DKO warning: ${warning}`);
  return lines;
}
