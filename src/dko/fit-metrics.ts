import { nmse } from "../eval/nmse.js";
import type { PlaneStack } from "../optics/plane-stack.js";

export interface KernelFit {
  /** sum (PSF - target)^2 / sum target^2 over the fit window (0 = exact). */
  nmse: number;
  /** Pearson correlation of PSF and target over the fit window. */
  correlation: number;
  /** Fraction of the fit window's light outside the central kernel window (cross-talk into neighbours). */
  energyOutsideKernel: number;
}

/** Fit quality of each metasurface: unit-sum PSF windows against their targets, kernel side k. */
export function kernelFits(psfStack: PlaneStack, targetStack: PlaneStack, kernelSize: number): KernelFit[] {
  psfStack.requireSameShape(targetStack, "kernelFits: PSFs and targets");
  const window = psfStack.size * psfStack.size;
  const [psfs, targets] = [psfStack.data, targetStack.data];
  const crops = psfStack.cropCentred(kernelSize).data;
  const k2 = kernelSize * kernelSize;
  return Array.from({ length: psfStack.count }, (_, b) => {
    let sumP = 0;
    let sumT = 0;
    for (let i = b * window; i < (b + 1) * window; i++) {
      sumP += psfs[i];
      sumT += targets[i];
    }
    const meanP = sumP / window;
    const meanT = sumT / window;
    let cov = 0;
    let varP = 0;
    let varT = 0;
    for (let i = b * window; i < (b + 1) * window; i++) {
      cov += (psfs[i] - meanP) * (targets[i] - meanT);
      varP += (psfs[i] - meanP) ** 2;
      varT += (targets[i] - meanT) ** 2;
    }
    let inKernel = 0;
    for (let i = b * k2; i < (b + 1) * k2; i++) inKernel += crops[i];
    return {
      nmse: nmse(psfs.subarray(b * window, (b + 1) * window), targets.subarray(b * window, (b + 1) * window)),
      correlation: varP > 0 && varT > 0 ? cov / Math.sqrt(varP * varT) : 0,
      energyOutsideKernel: sumP > 0 ? 1 - inKernel / sumP : 0,
    };
  });
}

/** Fraction of the incident light landing in each metasurface's kernel window, from incident-energy PSF windows. */
export function kernelEfficiencies(incidentPsfs: PlaneStack, kernelSize: number): number[] {
  const crops = incidentPsfs.cropCentred(kernelSize);
  return Array.from({ length: crops.count }, (_, b) => crops.plane(b).reduce((a, v) => a + v, 0));
}
