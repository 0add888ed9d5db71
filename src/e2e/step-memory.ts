import * as tf from "@tensorflow/tfjs";
import type { DepthDataset } from "../data/types.js";
import type { OpticsBank } from "../dko/optics-bank.js";
import type { DepthNet } from "../models/depth-net.js";
import type { FirstLayer } from "../models/first-layer.js";
import { BatchSchedule } from "../train/batches.js";
import { silogLoss } from "../train/depth-loss.js";

/**
 * Memory of one optimisation step, for the cost table. Tensors: the peak tensor bytes tf.profile
 * reports for one gradient step (measured; profiling is never on while steps are timed). Optics: the
 * typed arrays a PSF model allocates for the forward pass and its vjp (counted from optics/psf-model.ts
 * and the Fresnel window operator: fields, half-products, sensor energies and their gradients, 4 bytes
 * a float).
 */
export async function networkStepTensorBytes(net: DepthNet, dataset: DepthDataset, batchSize: number, firstLayer: FirstLayer, trainBackEnd: boolean): Promise<number> {
  const variables = [...firstLayer.trainableVariables.values(), ...(trainBackEnd ? net.backEndVariables.values() : [])];
  const batch = new BatchSchedule(dataset.train, batchSize, 0, false).batchAt(0);
  const info = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => silogLoss(net.predict(batch.rgb, firstLayer), batch.depth, batch.mask, 0.85), variables);
    tf.dispose([value, ...Object.values(grads)]);
  });
  tf.dispose([batch.rgb, batch.depth, batch.mask]);
  return info.peakBytes;
}

/** Bytes of the typed arrays one PSF forward + vjp of `metasurfaces` of the bank allocates (counted). */
export function psfStepArrayBytes(bank: OpticsBank, metasurfaces: number): number {
  const N = bank.optics.cells;
  const M = bank.windowPixels;
  const R = M * bank.subsamplesPerPixel;
  const complex = 2;
  const floats =
    metasurfaces *
    (N * N + // parameters copied out of the tensor engine
      complex * N * N + // transmission (the field under a unit aperture)
      complex * N * R + // forward half-product
      complex * R * R + // field on the sensor samples
      M * M + // PSF window
      M * M + // dL/dPSF
      M * M + // dL/dE
      complex * R * R + // dL/dU on the sensor samples
      complex * N * R + // adjoint half-product
      complex * N * N + // dL/dt
      N * N); // dL/dparams
  return 4 * floats;
}
