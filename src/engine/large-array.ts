import { nativeComplexRefusal } from "./engine-choice.js";
import { loadNativeAddon } from "./native/addon.js";

/** Below this size the page faults of a fresh array cost too little to be worth a call. */
const ADVICE_BYTES = 8 << 20;

/**
 * A zeroed Float32Array for the big buffers of the optics (phases, moments, best-so-far copies: 134 MB per
 * paper chunk), placed on transparent huge pages where the native addon can ask for them. Filling fresh
 * memory is otherwise bound by 4 KB page faults: 0.4-0.5 s per 134 MB on these VMs against 20-260 ms on
 * 2 MB pages (measured copying into a fresh array). No advice when OPTOCNN_ENGINE keeps the optics off
 * native code.
 */
export function largeFloat32Array(length: number): Float32Array {
  const array = new Float32Array(length);
  if (array.byteLength >= ADVICE_BYTES && nativeComplexRefusal() === null) {
    const load = loadNativeAddon();
    if (load.ok) load.addon.adviseHugePages(array);
  }
  return array;
}

/** A copy of `source` in a largeFloat32Array. */
export function largeCopy(source: Float32Array): Float32Array {
  const copy = largeFloat32Array(source.length);
  copy.set(source);
  return copy;
}
