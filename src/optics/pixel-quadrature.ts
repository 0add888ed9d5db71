import { requirePitch_m, requirePositiveInteger } from "./units.js";

/**
 * Gauss-Legendre rule with `nodes` points on one pixel: positions as fractions of the pixel pitch in
 * (-1/2, 1/2) and weights summing to 1. Exact for polynomials of degree 2 nodes - 1, and for smooth
 * (band-limited) intensities its error falls faster than any power of the node count, where midpoint
 * sub-samples fall as 1 / nodes^2. One node is the pixel centre.
 */
export function gaussLegendre(nodes: number): { positions: Float64Array; weights: Float64Array } {
  requirePositiveInteger(nodes, "nodes");
  const positions = new Float64Array(nodes);
  const weights = new Float64Array(nodes);
  for (let i = 0; i < nodes; i++) {
    // Newton iteration on the Legendre polynomial P_n from the Chebyshev-like first guess.
    let x = Math.cos((Math.PI * (i + 0.75)) / (nodes + 0.5));
    let derivative = 1;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= nodes; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
      derivative = (nodes * (x * p1 - p0)) / (x * x - 1);
      const step = p1 / derivative;
      x -= step;
      if (Math.abs(step) < 1e-15) break;
    }
    // Nodes in increasing order on (-1/2, 1/2); weights 2 / ((1 - x^2) P'(x)^2) halved for unit sum.
    positions[nodes - 1 - i] = x / 2;
    weights[nodes - 1 - i] = 1 / ((1 - x * x) * derivative * derivative);
  }
  return { positions, weights };
}

/**
 * The sensor window a PSF is integrated on: `pixels` x `pixels` pixels of `pitch_m`, pixel j centred at
 * (j - floor(pixels / 2)) * pitch_m, each integrated with `nodesPerPixel` x `nodesPerPixel`
 * Gauss-Legendre nodes (the field is evaluated at the nodes, the intensity summed with their weights).
 */
export class SensorWindow {
  readonly pixels: number;
  readonly pitch_m: number;
  readonly nodesPerPixel: number;

  constructor(options: { pixels: number; pitch_m: number; nodesPerPixel: number }) {
    this.pixels = requirePositiveInteger(options.pixels, "sensor window pixels");
    this.pitch_m = requirePitch_m(options.pitch_m, "sensor pitch_m");
    this.nodesPerPixel = requirePositiveInteger(options.nodesPerPixel, "nodesPerPixel");
  }

  /** Field samples per side: pixels x nodesPerPixel. */
  get samples(): number {
    return this.pixels * this.nodesPerPixel;
  }

  /** Node positions along one axis (metres from the optical axis), pixel by pixel. */
  nodeCoordinates_m(): Float64Array {
    const { positions } = gaussLegendre(this.nodesPerPixel);
    const out = new Float64Array(this.samples);
    for (let j = 0; j < this.pixels; j++) {
      for (let s = 0; s < this.nodesPerPixel; s++) out[j * this.nodesPerPixel + s] = (j - Math.floor(this.pixels / 2) + positions[s]) * this.pitch_m;
    }
    return out;
  }

  /** Quadrature weights of the nodes within their pixel (sum 1 per pixel). */
  nodeWeights(): Float64Array {
    return gaussLegendre(this.nodesPerPixel).weights;
  }
}
