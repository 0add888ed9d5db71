import type { WindowKernel } from "./fresnel-window.js";

/**
 * The non-paraxial phase D(rho) = k (sqrt(z^2 + rho^2) - z - rho^2 / (2 z)), written without the
 * cancellation of the difference: -k rho^4 / (2 z (r + z)^2).
 */
export function nonParaxialPhase_rad(rho_m: number, wavelength_m: number, distance_m: number): number {
  const r = Math.hypot(distance_m, rho_m);
  return (-(2 * Math.PI) / wavelength_m) * rho_m ** 4 / (2 * distance_m * (r + distance_m) ** 2);
}

/**
 * How far the window transform's kernel is from the exact spherical wave, for a square aperture of
 * half-width a = N dx / 2 imaging onto a window of half-width w centred on its axis. The phase a kernel
 * neglects between cell rho and sensor point x is, with D(s) = k (sqrt(z^2 + s^2) - z - s^2 / (2 z)):
 *   paraxial: D(|rho - x|) (the quartic term k s^4 / (8 z^3) and beyond);
 *   spherical-phase, rayleigh-sommerfeld: D(|rho - x|) - D(|rho|) (the correction's variation across the
 *   window, a distortion linear in x: about k rho^3 x / (2 z^3)).
 * Measured against the cell-model angular spectrum on 14 x 14 windows of lens-like designs (NMSE per
 * window, unit-sum): paraxial below 1e-3 while its edge phase stays under ~0.25 rad
 * (/work/shared/notes/optics-checks.md item 13); spherical-phase 0.5e-4 .. 1.5e-4 at edge residuals of
 * 0.28 and 0.30 rad (the paper and default geometries at 460 nm). The limits: 0.25 rad paraxial, and
 * 0.5 rad corrected (above the largest measured residual, where its error was still 7x below 1e-3).
 */
export interface WindowModelValidity {
  kernel: WindowKernel;
  /** a^2 / (lambda z) at the shortest wavelength. */
  fresnelNumber: number;
  /** sin of the marginal ray angle to the window centre from the aperture edge and corner. */
  numericalApertureEdge: number;
  numericalApertureCorner: number;
  /** k a^4 / (8 z^3) at the edge and k (2 a^2)^2 / (8 z^3) at the corner: what the paraxial kernel drops on axis. */
  quarticPhaseEdge_rad: number;
  quarticPhaseCorner_rad: number;
  /** Largest phase this kernel neglects from the aperture edge / corner to any window corner. */
  residualPhaseEdge_rad: number;
  residualPhaseCorner_rad: number;
  /** Warning threshold on residualPhaseEdge_rad for this kernel. */
  limit_rad: number;
  /** Non-null when the residual passes the limit: the PSFs should be validated with the angular spectrum. */
  warning: string | null;
}

export const VALIDITY_LIMIT_RAD: Record<WindowKernel, number> = { paraxial: 0.25, "spherical-phase": 0.5, "rayleigh-sommerfeld": 0.5 };

export function windowModelValidity(options: {
  cells: number;
  cellPitch_m: number;
  distance_m: number;
  wavelengths_m: readonly number[];
  /** Half-width of the sensor window (pixels x pitch / 2). */
  windowHalfWidth_m: number;
  kernel: WindowKernel;
}): WindowModelValidity {
  const { distance_m: z, kernel } = options;
  const wavelength_m = Math.min(...options.wavelengths_m);
  const a = (options.cells * options.cellPitch_m) / 2;
  const w = options.windowHalfWidth_m;
  const D = (s: number) => nonParaxialPhase_rad(s, wavelength_m, z);
  const neglected = (rx: number, ry: number) => {
    let worst = 0;
    for (const [sx, sy] of [[1, 1], [1, -1], [-1, 1], [-1, -1]]) {
      const s = Math.hypot(rx - sx * w, ry - sy * w);
      worst = Math.max(worst, Math.abs(kernel === "paraxial" ? D(s) : D(s) - D(Math.hypot(rx, ry))));
    }
    return worst;
  };
  const k = (2 * Math.PI) / wavelength_m;
  const residualPhaseEdge_rad = neglected(a, 0);
  const limit_rad = VALIDITY_LIMIT_RAD[kernel];
  return {
    kernel,
    fresnelNumber: (a * a) / (wavelength_m * z),
    numericalApertureEdge: a / Math.hypot(a, z),
    numericalApertureCorner: Math.SQRT2 * a / Math.hypot(Math.SQRT2 * a, z),
    quarticPhaseEdge_rad: (k * a ** 4) / (8 * z ** 3),
    quarticPhaseCorner_rad: (k * 4 * a ** 4) / (8 * z ** 3),
    residualPhaseEdge_rad,
    residualPhaseCorner_rad: neglected(a, a),
    limit_rad,
    warning:
      residualPhaseEdge_rad > limit_rad
        ? `the ${kernel} window kernel neglects ${residualPhaseEdge_rad.toFixed(2)} rad at the aperture edge (limit ${limit_rad} rad, where its PSFs were measured within NMSE 1e-3 of the angular spectrum)${kernel === "paraxial" ? "; use the spherical-phase kernel" : ""}; check the designs with CellAsmWindow`
        : null,
  };
}
