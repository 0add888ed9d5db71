/**
 * Normalised mean squared error sum (estimate - reference)^2 / sum reference^2: 0 is exact, 1 is as far
 * off as predicting zeros. 0 when the reference is all zero (nothing to match). The one NMSE of optocnn:
 * PSF fits, kernel banks and optics cross-checks all use it.
 */
export function nmse(estimate: ArrayLike<number>, reference: ArrayLike<number>): number {
  if (estimate.length !== reference.length) throw new Error(`nmse: estimate has ${estimate.length} values, reference ${reference.length}`);
  let error = 0;
  let norm = 0;
  for (let i = 0; i < reference.length; i++) {
    error += (estimate[i] - reference[i]) ** 2;
    norm += reference[i] ** 2;
  }
  return norm > 0 ? error / norm : 0;
}

/** Arithmetic mean; 0 for no values. */
export function meanOf(values: readonly number[]): number {
  return values.length ? values.reduce((a, v) => a + v, 0) / values.length : 0;
}
