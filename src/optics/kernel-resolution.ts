/**
 * Whether a metasurface can form a kernel at all: the smallest feature its PSF can have is the
 * diffraction-limited spot, first zero at lambda z / D for an aperture of side D = cells x pitch at
 * distance z. When that spot is wider than the whole kernel (kernelSize x sensor pitch), no phase
 * pattern can put the light into the kernel's pixels, and a fit only spreads light outside it.
 */
export interface KernelResolutionInput {
  cells: number;
  cellPitch_m: number;
  distance_m: number;
  sensorPitch_m: number;
  wavelengths_m: readonly number[];
  kernelSize: number;
}

export function diffractionSpot_m(input: KernelResolutionInput): number {
  return (Math.max(...input.wavelengths_m) * input.distance_m) / (input.cells * input.cellPitch_m);
}

/** Throws, naming the quantities in micrometres and millimetres, when the spot exceeds the kernel. */
export function checkKernelResolvable(input: KernelResolutionInput): void {
  const spot_m = diffractionSpot_m(input);
  const kernel_m = input.kernelSize * input.sensorPitch_m;
  if (spot_m <= kernel_m) return;
  const um = (x: number) => +(x * 1e6).toPrecision(3);
  const aperture_m = input.cells * input.cellPitch_m;
  throw new Error(
    `the optics cannot form the ${input.kernelSize}x${input.kernelSize} kernels: the smallest spot a ${um(aperture_m)} um wide metasurface (${input.cells} cells at ${um(input.cellPitch_m)} um) makes at ${+(input.distance_m * 1e3).toPrecision(3)} mm is lambda z / D = ${um(spot_m)} um, wider than a whole kernel (${um(kernel_m)} um = ${input.kernelSize} pixels at ${um(input.sensorPitch_m)} um). ` +
      `Make the metasurface wider (more cells or a larger cell pitch) or the distance shorter so that lambda z / D <= ${um(kernel_m)} um`,
  );
}
