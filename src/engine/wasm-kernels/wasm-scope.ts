import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

type TensorInfo = tf.TensorInfo;
type NamedAttrMap = tf.NamedAttrMap;

/** Padding of one axis as [before, after]; negative amounts crop. */
export type AxisPadding = [number, number];

/**
 * Runs registered wasm kernels directly (no tape, no engine scope) and frees every intermediate
 * when the composed kernel finishes, so composite kernels cost only their wasm calls.
 */
export class WasmScope {
  private readonly intermediates: TensorInfo[] = [];

  constructor(readonly backend: BackendWasm) {}

  run(kernelName: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = tf.getKernel(kernelName, "wasm");
    if (!kernel) throw new Error(`optocnn wasm kernels need the wasm kernel '${kernelName}', which is not registered`);
    const output = kernel.kernelFunc({ inputs, attrs, backend: this.backend });
    if (Array.isArray(output)) throw new Error(`optocnn wasm kernels expected one output from '${kernelName}'`);
    this.intermediates.push(output);
    return output;
  }

  /** Frees `t` with the other intermediates (for tensors made outside `run`). */
  adopt(t: TensorInfo): TensorInfo {
    this.intermediates.push(t);
    return t;
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run("Transpose", { x }, { perm });
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run("Reshape", { x }, { shape });
  }

  reverse(x: TensorInfo, dims: number[]): TensorInfo {
    return this.run("Reverse", { x }, { dims });
  }

  sum(x: TensorInfo, axis: number[]): TensorInfo {
    return this.run("Sum", { x }, { axis, keepDims: false });
  }

  /** Pads with zeros where an amount is positive and crops where it is negative. */
  padOrCrop(x: TensorInfo, paddings: AxisPadding[]): TensorInfo {
    let result = x;
    if (paddings.some(([before, after]) => before < 0 || after < 0)) {
      const begin = paddings.map(([before]) => Math.max(0, -before));
      const size = paddings.map(([before, after], axis) => x.shape[axis] - Math.max(0, -before) - Math.max(0, -after));
      if (size.some((n) => n <= 0)) throw new Error(`padOrCrop would crop shape [${x.shape}] to an empty tensor`);
      result = this.run("Slice", { x: result }, { begin, size });
    }
    if (paddings.some(([before, after]) => before > 0 || after > 0)) {
      const positive = paddings.map(([before, after]) => [Math.max(0, before), Math.max(0, after)]);
      result = this.run("PadV2", { x: result }, { paddings: positive, constantValue: 0 });
    }
    return result;
  }

  /**
   * Inserts (stride - 1) zeros between neighbouring pixels of an NHWC tensor: the "dilated" gradient
   * that turns a strided convolution's backward pass into a stride-1 convolution.
   */
  insertZerosNHWC(x: TensorInfo, strideHeight: number, strideWidth: number): TensorInfo {
    if (strideHeight === 1 && strideWidth === 1) return x;
    const [batch, height, width, channels] = x.shape;
    const spread = this.padOrCrop(this.reshape(x, [batch, height, 1, width, 1, channels]), [
      [0, 0], [0, 0], [0, strideHeight - 1], [0, 0], [0, strideWidth - 1], [0, 0],
    ]);
    const flat = this.reshape(spread, [batch, height * strideHeight, width * strideWidth, channels]);
    return this.padOrCrop(flat, [[0, 0], [0, 1 - strideHeight], [0, 1 - strideWidth], [0, 0]]);
  }

  /**
   * Returns `result` as the composed kernel's output and frees all other intermediates. A result that
   * is one of the kernel's inputs gets its own reference, as the wasm Identity kernel does.
   */
  finish(result: TensorInfo): TensorInfo {
    if (!this.intermediates.includes(result)) this.backend.incRef(result.dataId);
    this.release(result);
    return result;
  }

  /** Frees every intermediate except `keep`. */
  release(keep?: TensorInfo): void {
    for (const t of this.intermediates) if (t !== keep) this.backend.disposeData(t.dataId);
    this.intermediates.length = 0;
  }
}

/** Runs `compose` in a fresh scope; intermediates are freed whether it returns or throws. */
export function composeWasm(backend: BackendWasm, compose: (scope: WasmScope) => TensorInfo): TensorInfo {
  const scope = new WasmScope(backend);
  try {
    return scope.finish(compose(scope));
  } catch (error) {
    scope.release();
    throw error;
  }
}
