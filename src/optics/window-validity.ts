/**
 * The propagation kernel of the window transform (FresnelWindowOperator):
 * - "paraxial": single-step Fresnel (the quartic phase k rho^4 / (8 z^3) of the spherical wave dropped);
 * - "spherical-phase": the field is first multiplied by exp(i D(rho)), D = k (sqrt(z^2 + rho^2) - z - rho^2 / (2 z)),
 *   the exact path-length phase from cell rho to the window centre minus the paraxial one;
 * - "rayleigh-sommerfeld": that phase and the amplitude of the Rayleigh-Sommerfeld kernel relative to
 *   Fresnel's, obliquity (z / r) times 1 / r over 1 / z: z^2 / (z^2 + rho^2). With the distortion tiles
 *   this is the kernel to use: against the cell-model angular spectrum it gave NMSE 1e-6 .. 4e-5 with 3
 *   pixel nodes (4e-7 with 4, window energy within 0.3 %) where spherical-phase with tiles gave
 *   3e-5 .. 1.2e-4 and 1.5 .. 3.5 % more energy; without tiles the amplitude alone made agreement worse (1e-4 .. 4e-4 against
 *   2e-5 .. 1.6e-4), the untiled distortion then concentrating the light (validate-optics --full).
 */
export type WindowKernel = "paraxial" | "spherical-phase" | "rayleigh-sommerfeld";

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
 *   spherical-phase, rayleigh-sommerfeld without distortion tiles: D(|rho - x|) - D(|rho|) (the
 *   correction's variation across the window, a distortion linear in x: about k rho^3 x / (2 z^3));
 *   with T distortion tiles: that minus the tiled first-order term -h(xi, eta_t) xi x - h(xi_t, eta) eta y,
 *   h = k (1 / sqrt(z^2 + rho^2) - 1 / z), (xi_t, eta_t) the centre of the cell's tile.
 * Measured against the cell-model angular spectrum (CellAsmWindow) on 14 x 14 windows, unit-sum NMSE,
 * lens + seeded noise designs (`optocnn validate-optics --full`) and designs after a few fitting steps:
 *   paraxial: below 1e-3 while the edge phase stays under ~0.25 rad (optics-checks.md item 13); at 1.68 rad
 *     (default geometry) 0.10 .. 0.16, up to 1.6 after fitting steps; at 4.84 rad (paper) 2.4 .. 3.3;
 *   spherical-phase without tiles, edge residual 0.28 .. 0.30 rad: 2e-5 .. 1.6e-4, and 1.0e-3 .. 1.4e-3
 *     after fitting steps (default geometry, 460 nm);
 *   rayleigh-sommerfeld with 4 tiles, edge residual 0.04 rad (default) and 0.025 rad (paper): 1e-6 .. 4e-5
 *     with 3 pixel nodes (3e-7 with 4 nodes: the quadrature is then the larger part).
 * One warning limit for every kernel, 0.25 rad at the edge, the largest residual measured within 1e-3.
 */
export interface WindowModelValidity {
  kernel: WindowKernel;
  distortionTiles: number;
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
  /** Warning threshold on residualPhaseEdge_rad. */
  limit_rad: number;
  /** Non-null when the residual passes the limit: the PSFs should be validated with the angular spectrum. */
  warning: string | null;
}

export const VALIDITY_LIMIT_RAD = 0.25;

export function windowModelValidity(options: {
  cells: number;
  cellPitch_m: number;
  distance_m: number;
  wavelengths_m: readonly number[];
  /** Half-width of the sensor window (pixels x pitch / 2). */
  windowHalfWidth_m: number;
  kernel: WindowKernel;
  /** Tiles per side of the distortion correction (0 = none; ignored for the paraxial kernel). */
  distortionTiles: number;
}): WindowModelValidity {
  const { distance_m: z, kernel } = options;
  const wavelength_m = Math.min(...options.wavelengths_m);
  const a = (options.cells * options.cellPitch_m) / 2;
  const w = options.windowHalfWidth_m;
  const D = (s: number) => nonParaxialPhase_rad(s, wavelength_m, z);
  const k = (2 * Math.PI) / wavelength_m;
  const h = (along: number, across: number) => k * (1 / Math.hypot(z, along, across) - 1 / z);
  const T = options.distortionTiles;
  // Centre of the tile band (of width 2a / T) holding coordinate u.
  const tileCentre = (u: number) => -a + (Math.min(T - 1, Math.floor(((u + a) * T) / (2 * a))) + 0.5) * ((2 * a) / T);
  const neglected = (rx: number, ry: number) => {
    let worst = 0;
    for (const [sx, sy] of [[1, 1], [1, -1], [-1, 1], [-1, -1]]) {
      const [x, y] = [sx * w, sy * w];
      const s = Math.hypot(rx - x, ry - y);
      let phase = D(s);
      if (kernel !== "paraxial") phase -= D(Math.hypot(rx, ry));
      if (kernel !== "paraxial" && T > 0) phase += h(rx, tileCentre(ry)) * rx * x + h(tileCentre(rx), ry) * ry * y;
      worst = Math.max(worst, Math.abs(phase));
    }
    return worst;
  };
  const residualPhaseEdge_rad = neglected(a, 0);
  const limit_rad = VALIDITY_LIMIT_RAD;
  return {
    kernel,
    distortionTiles: T,
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
        ? `the ${kernel} window kernel (${T} distortion tiles) neglects ${residualPhaseEdge_rad.toFixed(2)} rad at the aperture edge (limit ${limit_rad} rad, the largest residual measured within NMSE 1e-3 of the angular spectrum); use the rayleigh-sommerfeld kernel with distortion tiles, or check the designs with CellAsmWindow`
        : null,
  };
}
