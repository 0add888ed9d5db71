import * as tf from "@tensorflow/tfjs";
import type { DkoOptics } from "../dko/config.js";
import { OpticsBank } from "../dko/optics-bank.js";
import { centreIndex } from "../optics/grid.js";
import type { PsfModel } from "../optics/psf-model.js";
import { psfFunction } from "../optics/tf-bridge.js";
import { fillStandardNormal } from "../util/normal-fill.js";
import { hashSeed } from "../util/random.js";
import type { NtkdOptics } from "./config.js";
import { BackEnd, type Trainable, uniqueName } from "./networks.js";

/**
 * The optical student: K signed kernels realised by 2K metasurfaces (one wavelength, grey images), then
 * the digital back end. Metasurface b = sign * K + out (src/optics/kernels.ts order, one input channel)
 * forms the sub-image y_b = x (*) PSF_b on the sensor; read through the central k x k of its PSF window
 * (the rest of the window is light lost to neighbouring sub-images). The electronics forms
 *   feature_out = s+_out y_out - s-_out y_(K + out)
 * with trainable gains s. A CNN layer correlates, optics convolves: correlating with rot180(crop(PSF))
 * is convolving with the PSF, so each sub-image is a tf.conv2d with the flipped crop (psfsToKernels
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

  /**
   * Signed feature maps [n, 28, 28, K] from the sub-image kernels and gains, with optional read noise.
   * Convolution is linear, so s+ (x * k+) - s- (x * k-) is one convolution with s+ k+ - s- k-: half the
   * convolution channels and no [n, 28, 28, 2K] sub-image tensors (forward and backward). The read noise
   * n_b of std sigma on each sub-image reaches feature o as s+ n+ - s- n-, a Gaussian of std
   * sigma sqrt(s+^2 + s-^2): drawn so, with half the draws.
   */
  features(images: tf.Tensor4D, subKernels: tf.Tensor4D, scales: tf.Tensor, noise?: SensorNoise): tf.Tensor4D {
    return tf.tidy(() => {
      const K = this.kernels;
      const k = this.kernelSize;
      const positive = tf.slice(scales, [0], [K]);
      const negative = tf.slice(scales, [K], [K]);
      const signed = tf.slice(subKernels, [0, 0, 0, 0], [k, k, 1, K]).mul(positive).sub(tf.slice(subKernels, [0, 0, 0, K], [k, k, 1, K]).mul(negative));
      const features = tf.conv2d(images, signed as tf.Tensor4D, 1, "same");
      if (!noise || noise.std === 0) return features;
      const std = tf.sqrt(tf.square(positive).add(tf.square(negative))).mul(noise.std);
      // Ziggurat draws (fillStandardNormal): a test-set pass needs ~1e7 values; 3x faster than tf.randomNormal.
      const normal = tf.tensor(fillStandardNormal(new Float32Array(features.size), hashSeed(noise.seed, this.noiseDraws++)), features.shape);
      return features.add(normal.mul(std)) as tf.Tensor4D;
    });
  }

  /** Everything trainable: [phases, gains, ...back end]; the optics is simulated at every call. */
  trainable(): Trainable {
    return {
      variables: [this.phases, this.scales, ...this.backEnd.variables],
      opticsVariables: new Set([this.phases]),
      prepare: (images) => images,
      apply: (images, p) =>
        tf.tidy(() => this.backEnd.apply(this.features(images, subImageKernels(this.psfs(p[0]), this.kernelSize), p[1]), p.slice(2))),
    };
  }

  /**
   * Only the back end trains, behind fixed sub-image kernels and the current gains (DKO, fabricated
   * optics). The sensor readout, read-noise draw included, depends on no variable: it is formed once per
   * batch (prepare), so every pass of an NTK estimate on a batch sees the same readout.
   */
  behindFixedOptics(subKernels: tf.Tensor4D, noise?: SensorNoise): Trainable {
    return {
      variables: [...this.backEnd.variables],
      opticsVariables: new Set(),
      prepare: (images) => this.features(images, subKernels, this.scales, noise),
      apply: (features, p) => this.backEnd.apply(features, p),
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
