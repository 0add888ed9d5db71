import { centreIndex, type PlanarComplex } from "../engine/complex/complex-ops.js";
import { requirePitch_m, requirePositiveInteger } from "./units.js";

/**
 * A square sampling grid with physical pitch. Sample i sits at (i - floor(n / 2)) * pitch_m, so the
 * optical axis is sample floor(n / 2) for odd and even n alike (the numpy fftshift convention); every
 * crop, pad and window in src/optics uses this centre.
 */
export class Grid {
  readonly size: number;
  readonly pitch_m: number;
  constructor(size: number, pitch_m: number, name = "grid") {
    this.size = requirePositiveInteger(size, `${name}.size`);
    this.pitch_m = requirePitch_m(pitch_m, `${name}.pitch_m`);
  }
  /** Side length size * pitch_m. */
  get extent_m(): number {
    return this.size * this.pitch_m;
  }
  /** Index of the optical axis. */
  get centre(): number {
    return centreIndex(this.size);
  }
  coordinate_m(index: number): number {
    return (index - this.centre) * this.pitch_m;
  }
  coordinates_m(): Float64Array {
    return Float64Array.from({ length: this.size }, (_, i) => this.coordinate_m(i));
  }
}

export { centreIndex };

export function complexZeros(length: number): PlanarComplex {
  return { re: new Float32Array(length), im: new Float32Array(length) };
}

/** Views of plane `index` of a batch of planes of `plane` values. */
export function planeOf(x: PlanarComplex, index: number, plane: number): PlanarComplex {
  return { re: x.re.subarray(index * plane, (index + 1) * plane), im: x.im.subarray(index * plane, (index + 1) * plane) };
}
