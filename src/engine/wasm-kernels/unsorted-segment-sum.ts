import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { composeWasm } from "./wasm-scope.js";

/**
 * UnsortedSegmentSum (the gradient of gather) as one ScatterNd, which sums duplicate indices.
 * Ids outside [0, numSegments) are dropped, as on the cpu backend: they go to a spare row cut off
 * at the end.
 */
export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: "UnsortedSegmentSum",
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) =>
    composeWasm(backend as BackendWasm, (scope) => {
      const wasm = backend as BackendWasm;
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const { numSegments } = attrs as { numSegments: number };
      const idRank = segmentIds.shape.length;
      if (segmentIds.shape.some((n, axis) => n !== x.shape[axis])) {
        throw new Error(`UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must prefix x shape [${x.shape}]`);
      }
      const ids = wasm.typedArrayFromHeap(segmentIds);
      const rowIndex = new Int32Array(ids.length);
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        rowIndex[i] = id >= 0 && id < numSegments ? id : numSegments;
      }
      const rowShape = x.shape.slice(idRank);
      const indices = wasm.makeOutput([ids.length, 1], "int32", undefined, rowIndex);
      scope.adopt(indices);
      const updates = scope.reshape(x, [ids.length, ...rowShape]);
      const withSpare = scope.run("ScatterNd", { indices, updates }, { shape: [numSegments + 1, ...rowShape] });
      return scope.padOrCrop(withSpare, [[0, -1], ...rowShape.map((): [number, number] => [0, 0])]);
    }),
};
