/**
 * How many metasurfaces, hence signed kernels, fit a given area. Each metasurface (aperture D side)
 * images the scene onto its own sub-image right below it; a sub-image of an H x H image convolved with a
 * k x k kernel covers (H + k - 1) sensor pixels per side, so one metasurface's tile is
 *   tile = max(D, (H + k - 1) p) + spacing
 * (p the sensor pitch), and a side of length L holds floor((L + spacing) / tile) tiles (no gap needed
 * after the last one). The array area and the sensor both bound the count; a signed kernel needs two
 * metasurfaces (its positive and negative PSF), one wavelength.
 */
export interface LayoutInput {
  /** Side of the square area for the metasurface array, gap between metasurfaces. */
  arraySide_m: number;
  spacing_m: number;
  /** One metasurface's aperture side (cells x cell pitch). */
  aperture_m: number;
  sensorPitch_m: number;
  sensorPixels: number;
  imagePixels: number;
  kernelSize: number;
}

export interface LayoutCapacity {
  tile_m: number;
  subImage_m: number;
  perSide: number;
  limitedBy: "array" | "sensor";
  metasurfaces: number;
  signedKernels: number;
}

export function layoutCapacity(input: LayoutInput): LayoutCapacity {
  for (const [field, value] of Object.entries(input)) {
    if (!Number.isFinite(value) || value < 0 || (field !== "spacing_m" && value === 0)) throw new Error(`layout: ${field} must be a positive number, got ${value}`);
  }
  const subImage_m = (input.imagePixels + input.kernelSize - 1) * input.sensorPitch_m;
  const tile_m = Math.max(input.aperture_m, subImage_m) + input.spacing_m;
  // The 1e-9 keeps an exact fit (L + s = n tile) from rounding down.
  const fit = (side_m: number) => Math.floor((side_m + input.spacing_m) / tile_m + 1e-9);
  const byArray = fit(input.arraySide_m);
  const bySensor = fit(input.sensorPixels * input.sensorPitch_m);
  const perSide = Math.min(byArray, bySensor);
  const metasurfaces = perSide * perSide;
  return { tile_m, subImage_m, perSide, limitedBy: byArray <= bySensor ? "array" : "sensor", metasurfaces, signedKernels: Math.floor(metasurfaces / 2) };
}
