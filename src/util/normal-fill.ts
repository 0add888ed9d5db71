/**
 * Seeded standard normal values in bulk by the ziggurat method (Marsaglia & Tsang 2000, 128 layers):
 * the same distribution as Box-Muller (optics/fabrication.ts gaussianSampler) at a fraction of the
 * cost, since ~99 % of draws take one 32-bit integer, a table look-up and a compare (no log, sqrt or
 * trigonometry). For the bulk draws of training steps: NTK directions and sensor read noise, millions
 * of values per step. The layer index and the abscissa come from disjoint bits of the integer (Doornik
 * 2005: sharing them correlates the two).
 */
const LAYERS = 128;
/** Right edge of the base layer, and the layers' common area (Marsaglia & Tsang, 128 layers). */
const R = 3.442619855899;
const AREA = 9.91256303526217e-3;
/** 24 bits of the integer give the signed abscissa: [-2^23, 2^23). */
const SCALE = 2 ** 23;

const k = new Uint32Array(LAYERS);
const w = new Float64Array(LAYERS);
const f = new Float64Array(LAYERS);
{
  let d = R;
  let t = d;
  const q = AREA / Math.exp(-0.5 * d * d);
  k[0] = Math.floor((d / q) * SCALE);
  k[1] = 0;
  w[0] = q / SCALE;
  w[LAYERS - 1] = d / SCALE;
  f[0] = 1;
  f[LAYERS - 1] = Math.exp(-0.5 * d * d);
  for (let i = LAYERS - 2; i >= 1; i--) {
    d = Math.sqrt(-2 * Math.log(AREA / d + Math.exp(-0.5 * d * d)));
    k[i + 1] = Math.floor((d / t) * SCALE);
    t = d;
    f[i] = Math.exp(-0.5 * d * d);
    w[i] = d / SCALE;
  }
}

/** Fills `out` with independent N(0, 1) values from `seed` (mulberry32 integers); returns it. */
export function fillStandardNormal<T extends Float32Array | Float64Array>(out: T, seed: number): T {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (x ^ (x >>> 14)) >>> 0;
  };
  const uniform = () => (next() + 0.5) / 4294967296;
  for (let n = 0; n < out.length; n++) {
    for (;;) {
      const bits = next();
      const i = bits & (LAYERS - 1);
      // Half-integers keep the two signs exactly symmetric.
      const j = (bits >>> 8) - SCALE + 0.5;
      const x = j * w[i];
      if (Math.abs(j) < k[i]) {
        out[n] = x;
        break;
      }
      if (i === 0) {
        // The tail beyond R (Marsaglia 1964).
        let a: number;
        let b: number;
        do {
          a = -Math.log(uniform()) / R;
          b = -Math.log(uniform());
        } while (b + b < a * a);
        out[n] = j > 0 ? R + a : -R - a;
        break;
      }
      // The wedge between layer i's rectangle and the curve: accept under the density.
      if (f[i] + uniform() * (f[i - 1] - f[i]) < Math.exp(-0.5 * x * x)) {
        out[n] = x;
        break;
      }
    }
  }
  return out;
}
