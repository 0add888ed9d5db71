import * as tf from "@tensorflow/tfjs";
import type { DkoOptics } from "../dko/config.js";
import { OpticsBank } from "../dko/optics-bank.js";
import { centreIndex } from "../optics/grid.js";
import type { PsfModel } from "../optics/psf-model.js";
import { psfFunction } from "../optics/tf-bridge.js";
import type { NtkdOptics } from "./config.js";
import { BackEnd, type Trainable, uniqueName } from "./networks.js";

/**
 * The optical student: K signed kernels realised by 2K metasurfaces (one wavelength, grey images), then
 * the digital back end. Metasurface b = sign * K + out (src/optics/kernels.ts order, one input channel)
 * forms the sub-image y_b = x (*) PSF_b on the sensor; read through the central k x k of its PSF window
 * (the rest of the window is light lost to neighbouring sub-images). The electronics forms
 *   feature_out = s+_out y_out - s-_out y_(K + out)
 * with trainable gains s. A CNN layer correlates, optics convolves: correlating with rot180(crop(PSF))
 * is convolving with the PSF, so each sub-image is one tf.conv2d with the flipped crop (psfsToKernels
 * in src/optics/kernels.ts is the same map on arrays). The PSFs come from the differentiable PSF window
 * model (tf-bridge psfFunction), so the phases are trained through the optics.
 */
export interface SensorNoise {
  /** Read-noise standard deviation per sub-image pixel (a white image gives 1). */
  std: number;
  seed: number;
}

export function bankOptics(optics: NtkdOptics): DkoOptics {
  const { cells, cellPitch_m, distance_m, sensorPitch_m, wavelength_m, fitWindowFactor, subsamplesPerPixel } = optics;
  return { cells, cellPitch_m, distance_m, sensorPitch_m, channelWavelengths_m: [wavelength_m], subsamplesPerPixel, metasurface: "phase", fitWindowFactor };
}

/** Phases wrapped into [-pi, pi): the same transmission, and small parameter steps stay resolvable in float32. */
export function wrapPhase(phase: Float32Array): Float32Array {
  const twoPi = 2 * Math.PI;
  return phase.map((p) => p - twoPi * Math.floor((p + Math.PI) / twoPi));
}

/** Sub-image kernels [k, k, 1, B] from PSF windows [B, M, M]: centre crop, rotated by 180 degrees (psfsToKernels without the signs and gains). */
export function subImageKernels(psfs: tf.Tensor3D, kernelSize: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, M] = psfs.shape;
    // The same centred crop as src/optics/grid.ts cropCentred: the optical axis is pixel centreIndex(M).
    const start = centreIndex(M) - centreIndex(kernelSize);
    const crop = tf.slice(psfs, [0, start, start], [B, kernelSize, kernelSize]);
    return tf.transpose(tf.reverse(crop, [1, 2]), [1, 2, 0]).expandDims(2) as tf.Tensor4D;
  });
}

export class OpticalStudent {
  readonly bank: OpticsBank;
  readonly model: PsfModel;
  readonly phases: tf.Variable;
  readonly scales: tf.Variable;
  readonly backEnd: BackEnd;
  readonly kernels: number;
  readonly kernelSize: number;
  private readonly psf: (params: tf.Tensor) => tf.Tensor;
  private noiseDraws = 0;

  constructor(optics: NtkdOptics, student: { kernels: number; kernelSize: number; pool: number; hidden: number }, seed: number) {
    this.kernels = student.kernels;
    this.kernelSize = student.kernelSize;
    this.bank = new OpticsBank(bankOptics(optics), { kernelSize: student.kernelSize, inChannels: 1, outChannels: student.kernels });
    this.model = this.bank.model("unit-sum");
    this.psf = psfFunction(this.model);
    const N = optics.cells;
    const start = wrapPhase(this.bank.initialParams(optics.initNoise_rad, seed * 16 + 8));
    this.phases = tf.tidy(() => tf.variable(tf.tensor3d(start, [this.bank.count, N, N]), true, uniqueName("student.phases")));
    this.scales = tf.tidy(() => tf.variable(tf.ones([this.bank.count]), true, uniqueName("student.scales")));
    this.backEnd = new BackEnd(student, seed);
  }

  /** PSF windows [2K, M, M] of the given phases (differentiable). */
  psfs(phases: tf.Tensor): tf.Tensor3D {
    return this.psf(phases) as tf.Tensor3D;
  }

  /** Signed feature maps [n, 28, 28, K] from the sub-image kernels and gains, with optional read noise. */
  features(images: tf.Tensor4D, subKernels: tf.Tensor4D, scales: tf.Tensor, noise?: SensorNoise): tf.Tensor4D {
    return tf.tidy(() => {
      let sub: tf.Tensor4D = tf.conv2d(images, subKernels, 1, "same");
      if (noise && noise.std > 0) sub = sub.add(tf.randomNormal(sub.shape, 0, noise.std, "float32", noise.seed + this.noiseDraws++));
      const K = this.kernels;
      const [n, h, w] = sub.shape;
      const positive = tf.slice(sub, [0, 0, 0, 0], [n, h, w, K]).mul(tf.slice(scales, [0], [K]));
      const negative = tf.slice(sub, [0, 0, 0, K], [n, h, w, K]).mul(tf.slice(scales, [K], [K]));
      return positive.sub(negative) as tf.Tensor4D;
    });
  }

  /** Everything trainable: [phases, gains, ...back end]; the optics is simulated at every call. */
  trainable(): Trainable {
    return {
      variables: [this.phases, this.scales, ...this.backEnd.variables],
      opticsVariables: new Set([this.phases]),
      apply: (images, p) =>
        tf.tidy(() => this.backEnd.apply(this.features(images, subImageKernels(this.psfs(p[0]), this.kernelSize), p[1]), p.slice(2))),
    };
  }

  /** Only the back end trains, behind fixed sub-image kernels and the current gains (DKO, fabricated optics). */
  behindFixedOptics(subKernels: tf.Tensor4D, noise?: SensorNoise): Trainable {
    return {
      variables: [...this.backEnd.variables],
      opticsVariables: new Set(),
      apply: (images, p) => tf.tidy(() => this.backEnd.apply(this.features(images, subKernels, this.scales, noise), p)),
    };
  }

  /** Sub-image kernels of the current phases (no gradient). */
  currentSubKernels(): tf.Tensor4D {
    return tf.tidy(() => subImageKernels(this.psfs(this.phases), this.kernelSize));
  }

  dispose(): void {
    tf.dispose([this.phases, this.scales]);
    this.backEnd.dispose();
  }
}
