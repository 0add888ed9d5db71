import { UPSAMPLE_CONCAT_GRAD_KERNEL, UPSAMPLE_CONCAT_KERNEL } from "../../training-kernels.js";
import type { NativeAddon } from "../addon.js";
import { allFloat32, currentHeap, heapOffset, type NativeKernel } from "../wasm-heap.js";

/** The decoder join of src/engine/upsample-concat.ts and its gradient, one pass each. */
export function upsampleConcatKernels(addon: NativeAddon): NativeKernel[] {
  return [
    {
      kernelName: UPSAMPLE_CONCAT_KERNEL,
      kernelFunc: ({ inputs, backend }) => {
        const { low, skip } = inputs;
        if (!allFloat32(low, skip)) return null;
        const [batch, height, width, lowChannels] = low.shape;
        const skipChannels = skip.shape[3];
        const out = backend.makeOutput([batch, 2 * height, 2 * width, lowChannels + skipChannels], "float32");
        if (batch * height * width > 0) {
          addon.upsampleConcat(currentHeap(backend), Int32Array.of(batch, height, width, lowChannels, skipChannels),
            heapOffset(backend, low), heapOffset(backend, skip), heapOffset(backend, out), false);
        }
        return out;
      },
    },
    {
      kernelName: UPSAMPLE_CONCAT_GRAD_KERNEL,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { dy } = inputs;
        if (!allFloat32(dy)) return null;
        const [batch, rows, cols, channels] = dy.shape;
        const lowChannels = Number(attrs?.lowChannels);
        const [height, width] = [rows / 2, cols / 2];
        const dlow = backend.makeOutput([batch, height, width, lowChannels], "float32");
        const dskip = backend.makeOutput([batch, rows, cols, channels - lowChannels], "float32");
        if (batch * height * width > 0) {
          addon.upsampleConcat(currentHeap(backend), Int32Array.of(batch, height, width, lowChannels, channels - lowChannels),
            heapOffset(backend, dy), heapOffset(backend, dlow), heapOffset(backend, dskip), true);
        }
        return [dlow, dskip];
      },
    },
  ];
}
