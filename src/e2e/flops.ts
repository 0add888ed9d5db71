import type { DepthNetConfig } from "../models/depth-net-config.js";

/**
 * Counted floating-point operations (a multiply-add = 2) of one optimisation step, for the cost table
 * beside measured seconds. Convolutions and the optics' matrix products dominate; elementwise work is
 * left out.
 */

/** Forward FLOPs of the depth network for one image, split into first layer and back end (models/depth-net.ts). */
export function depthNetForwardFlops(net: Pick<DepthNetConfig, "inputHeight" | "inputWidth" | "firstLayer" | "encoder" | "decoderChannels">, firstLayerSize = net.firstLayer.size): { firstLayer: number; backEnd: number } {
  const { kernels: K, stride } = net.firstLayer;
  const pixelsAt = (scale: number) => (net.inputHeight / scale) * (net.inputWidth / scale);
  const conv = (scale: number, k: number, inC: number, outC: number) => 2 * pixelsAt(scale) * k * k * inC * outC;
  const firstLayer = conv(stride, firstLayerSize, 3, K);
  let backEnd = 0;
  const skipChannels = new Map<number, number>([[stride, K]]);
  let channels = K;
  let scale = stride;
  net.encoder.forEach((stage, i) => {
    scale *= 2;
    backEnd += conv(scale, 3, channels, stage.channels) + stage.blocks * 2 * conv(scale, 3, stage.channels, stage.channels);
    channels = stage.channels;
    if (i < net.encoder.length - 1) skipChannels.set(scale, channels);
  });
  for (const outC of net.decoderChannels) {
    backEnd += conv(scale, 3, channels, outC);
    scale /= 2;
    backEnd += conv(scale, 3, outC + (skipChannels.get(scale) ?? 0), outC);
    channels = outC;
  }
  backEnd += conv(scale, 3, channels, 1);
  return { firstLayer, backEnd };
}

/**
 * One training step on a batch: forward, backward to the activations (about the forward again) and,
 * for trained layers, to the weights (about the forward again).
 */
export function trainStepFlops(forward: { firstLayer: number; backEnd: number }, batch: number, trains: { firstLayer: boolean; backEnd: boolean }): number {
  const back = forward.backEnd * (trains.backEnd ? 3 : 2);
  // The first layer needs no gradient with respect to the image, only to its weights when trained.
  const first = forward.firstLayer * (trains.firstLayer ? 2 : 1);
  return batch * (back + first);
}

/**
 * PSF windows of `metasurfaces` metasurfaces of N x N cells on R x R sensor samples (R = window pixels x
 * sub-samples) by the separable Fresnel window transform: two complex matrix products, N^2 R + N R^2
 * complex multiply-adds (8 real FLOPs each); the adjoint costs the same again.
 */
export function psfFlops(metasurfaces: number, cells: number, sensorSamples: number, withGradient: boolean): number {
  const forward = 8 * (cells * cells * sensorSamples + cells * sensorSamples * sensorSamples);
  return metasurfaces * forward * (withGradient ? 2 : 1);
}
