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

/**
 * Copies the centred `inner` x `inner` square of each `outer` x `outer` plane (crop) into `inner` planes,
 * or the reverse (embed into zeros) when `embed` is true. Centres follow the grid convention.
 */
function centredCopy(src: Float32Array, dst: Float32Array, batch: number, inner: number, outer: number, embed: boolean): void {
  const offset = centreIndex(outer) - centreIndex(inner);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < inner; r++) {
      const innerRow = b * inner * inner + r * inner;
      const outerRow = b * outer * outer + (r + offset) * outer + offset;
      if (embed) dst.set(src.subarray(innerRow, innerRow + inner), outerRow);
      else dst.set(src.subarray(outerRow, outerRow + inner), innerRow);
    }
  }
}

/** Centred crop of `batch` real planes outer x outer to inner x inner. */
export function cropCentred(src: Float32Array, batch: number, outer: number, inner: number): Float32Array {
  if (inner > outer) throw new Error(`crop: window ${inner} is larger than the ${outer}x${outer} plane`);
  const out = new Float32Array(batch * inner * inner);
  centredCopy(src, out, batch, inner, outer, false);
  return out;
}

/** Centred zero-padding of `batch` real planes inner x inner to outer x outer. */
export function padCentred(src: Float32Array, batch: number, inner: number, outer: number): Float32Array {
  if (inner > outer) throw new Error(`pad: plane ${inner} is larger than the target ${outer}x${outer}`);
  const out = new Float32Array(batch * outer * outer);
  centredCopy(src, out, batch, inner, outer, true);
  return out;
}

export function cropCentredComplex(src: PlanarComplex, batch: number, outer: number, inner: number): PlanarComplex {
  return { re: cropCentred(src.re, batch, outer, inner), im: cropCentred(src.im, batch, outer, inner) };
}

export function padCentredComplex(src: PlanarComplex, batch: number, inner: number, outer: number): PlanarComplex {
  return { re: padCentred(src.re, batch, inner, outer), im: padCentred(src.im, batch, inner, outer) };
}
