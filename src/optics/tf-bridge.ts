import * as tf from "@tensorflow/tfjs";
import type { PsfModel } from "./psf-model.js";

/**
 * A PSF model as a differentiable tfjs function: params [B, N, N] -> PSFs [B, M, M]. The forward pass
 * and the gradient run on typed arrays (the optics engine); tf.customGrad hands tfjs the hand-written
 * adjoint, so tf.grad / optimisers see exact gradients. Data leave the tensor engine once per call.
 */
export function psfFunction(model: PsfModel): (params: tf.Tensor) => tf.Tensor {
  const B = model.batch;
  const N = model.cells;
  const M = model.windowPixels;
  const run = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const params = inputs[0] as tf.Tensor;
    const shape = params.shape;
    if (shape.length !== 3 || shape[0] !== B || shape[1] !== N || shape[2] !== N) {
      throw new Error(`psfFunction: params must have shape [${B}, ${N}, ${N}], got [${shape.join(", ")}]`);
    }
    const { psf, vjp } = model.forwardWithVjp(Float32Array.from(params.dataSync()));
    return {
      value: tf.tensor3d(psf, [B, M, M]),
      gradFunc: (dy: tf.Tensor3D) => tf.tensor3d(vjp(Float32Array.from(dy.dataSync())), [B, N, N]),
    };
  });
  return (params: tf.Tensor) => run(params);
}
