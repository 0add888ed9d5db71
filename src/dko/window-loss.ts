/** One metasurface's DKO loss over its fit window, with what it is made of. */
export interface WindowLoss {
  /** shapeMse + efficiencyWeight x mean(target^2) x (1 - efficiency). */
  loss: number;
  /** Mean over the window of (PSF / efficiency - target)^2: the paper's unit-sum (shape-only) loss. */
  shapeMse: number;
  /** Share of the incident light that lands in the window. */
  efficiency: number;
}

/**
 * The DKO loss of one fit window from its PSF per incident energy p (sums to the window's efficiency eta):
 *   L = mean((p / eta - t)^2) + w mean(t^2) (1 - eta),
 * the paper's shape loss on unit-sum PSF and target plus a light term. The shape loss alone cannot see light
 * leaving the window, which the sensor still records as halo and cross-talk; scaled by the target's mean
 * square, w reads as shape NMSE traded per unit of efficiency (w 0.1: ten points of efficiency are worth
 * 0.01 of NMSE) and the loss keeps the shape loss's scale. Writes the unit-sum PSF p / eta into `unitSum`
 * and dL/dp into `gradient` (both the window's length).
 */
export function windowLoss(p: Float32Array, target: Float32Array, efficiencyWeight: number, unitSum: Float32Array, gradient: Float32Array): WindowLoss {
  const n = p.length;
  if (target.length !== n || unitSum.length !== n || gradient.length !== n) throw new Error(`windowLoss: PSF, target, unitSum and gradient must hold ${n} values each`);
  let efficiency = 0;
  let targetPower = 0;
  for (let i = 0; i < n; i++) {
    efficiency += p[i];
    targetPower += target[i] * target[i];
  }
  if (!(efficiency > 0)) throw new Error(`windowLoss: the window receives no light (sum ${efficiency}); check the aperture, distance and window size`);
  targetPower /= n;
  let shapeMse = 0;
  let projection = 0;
  for (let i = 0; i < n; i++) {
    unitSum[i] = p[i] / efficiency;
    const diff = unitSum[i] - target[i];
    shapeMse += diff * diff;
    gradient[i] = (2 * diff) / n;
    projection += gradient[i] * unitSum[i];
  }
  shapeMse /= n;
  // d(p_i / eta)/dp_j = (delta_ij - p_i / eta) / eta; d eta / dp_j = 1.
  const lightSlope = efficiencyWeight * targetPower;
  for (let i = 0; i < n; i++) gradient[i] = (gradient[i] - projection) / efficiency - lightSlope;
  return { loss: shapeMse + lightSlope * (1 - efficiency), shapeMse, efficiency };
}
