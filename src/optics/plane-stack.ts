import { centreIndex, type PlanarComplex } from "../engine/complex/complex-ops.js";
import { requirePositiveInteger } from "./units.js";

/** How many square planes a stack holds and their side, named so that the two cannot be swapped. */
export interface StackShape {
  count: number;
  size: number;
}

/**
 * `count` square planes of `size` x `size` real values, row-major and back to back: a batch of PSF
 * windows, kernels or targets. The length is checked on construction; centred crops and pads keep the
 * optical axis at sample centreIndex(size) (the grid convention of src/optics/grid.ts).
 */
export class PlaneStack implements StackShape {
  readonly count: number;
  readonly size: number;

  constructor(readonly data: Float32Array, shape: StackShape, name = "planes") {
    this.count = requirePositiveInteger(shape.count, `${name}.count`);
    this.size = requirePositiveInteger(shape.size, `${name}.size`);
    if (data.length !== this.count * this.size * this.size) {
      throw new Error(`${name}: expected ${this.count} planes of ${this.size}x${this.size} (${this.count * this.size ** 2} values), got ${data.length}`);
    }
  }

  static zeros(shape: StackShape, name?: string): PlaneStack {
    return new PlaneStack(new Float32Array(shape.count * shape.size * shape.size), shape, name);
  }

  /** A view of plane `index`. */
  plane(index: number): Float32Array {
    const values = this.size * this.size;
    return this.data.subarray(index * values, (index + 1) * values);
  }

  /** The centred size x size square of every plane. */
  cropCentred(size: number): PlaneStack {
    if (size > this.size) throw new Error(`crop: window ${size} is larger than the ${this.size}x${this.size} planes`);
    const out = PlaneStack.zeros({ count: this.count, size });
    centredCopy(this.data, out.data, this.count, size, this.size, false);
    return out;
  }

  /** Every plane embedded, centred, in size x size zeros. */
  padCentred(size: number): PlaneStack {
    if (size < this.size) throw new Error(`pad: planes of ${this.size}x${this.size} are larger than the target ${size}x${size}`);
    const out = PlaneStack.zeros({ count: this.count, size });
    centredCopy(this.data, out.data, this.count, this.size, size, true);
    return out;
  }

  /** Throws unless `other` has this stack's count and size (e.g. PSFs and their targets). */
  requireSameShape(other: StackShape, names: string): void {
    if (other.count !== this.count || other.size !== this.size) {
      throw new Error(`${names}: shapes differ, ${this.count} planes of ${this.size}x${this.size} against ${other.count} of ${other.size}x${other.size}`);
    }
  }
}

/** Centred crop (size < shape.size) or zero-padding (size > shape.size) of complex planes. */
export function resizeCentredComplex(src: PlanarComplex, shape: StackShape, size: number): PlanarComplex {
  const resize = (x: Float32Array) => {
    const stack = new PlaneStack(x, shape, "field");
    return (size < shape.size ? stack.cropCentred(size) : stack.padCentred(size)).data;
  };
  return { re: resize(src.re), im: resize(src.im) };
}

/**
 * Copies the centred `inner` x `inner` square of each `outer` x `outer` plane (crop) into `inner` planes,
 * or the reverse (embed into zeros) when `embed` is true.
 */
function centredCopy(src: Float32Array, dst: Float32Array, count: number, inner: number, outer: number, embed: boolean): void {
  const offset = centreIndex(outer) - centreIndex(inner);
  for (let b = 0; b < count; b++) {
    for (let r = 0; r < inner; r++) {
      const innerRow = b * inner * inner + r * inner;
      const outerRow = b * outer * outer + (r + offset) * outer + offset;
      if (embed) dst.set(src.subarray(innerRow, innerRow + inner), outerRow);
      else dst.set(src.subarray(outerRow, outerRow + inner), innerRow);
    }
  }
}
