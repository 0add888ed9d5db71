import * as tf from "@tensorflow/tfjs";
import type { DepthSplit } from "../data/types.js";

/** Predicted depth maps (H*W metres each) of the given samples of a split, for figures. */
export async function predictDepth(predict: (rgb: tf.Tensor4D) => tf.Tensor4D, split: DepthSplit, indices: number[]): Promise<Float32Array[]> {
  const { height, width } = split;
  const rgb = tf.tensor4d(indices.flatMap((i) => Array.from(split.get(i).rgb)), [indices.length, height, width, 3]);
  const predicted = tf.tidy(() => predict(rgb));
  const flat = (await predicted.data()) as Float32Array;
  tf.dispose([rgb, predicted]);
  const pixels = height * width;
  return indices.map((_, k) => flat.slice(k * pixels, (k + 1) * pixels));
}
