import type * as tfTypes from "@tensorflow/tfjs";
import type { DepthDataset } from "../data/types.js";
import type { SensorArraySettings } from "../dko/config.js";
import type { OpticsBank } from "../dko/optics-bank.js";
import type { SensorArrayEvaluation } from "../dko/sensor-report.js";
import type { DepthEvalProtocol } from "../eval/depth-protocol.js";
import type { DepthNet } from "../models/depth-net.js";

/**
 * An E2E design scored with the sensor's image formation, as stage 2 scores DKO's (src/dko/sensor-evaluation.ts):
 * each sub-image formed with its metasurface's PSF over the whole image (halo included) plus its neighbours'
 * light, at the trained scales, behind the E2E run's own back end. E2E trains through kernel crops of unit-sum
 * PSFs, so like the shape-only DKO loss it cannot see light that leaves the kernel; this says what that costs.
 */
export async function e2eSensorEvaluation(options: {
  bank: OpticsBank;
  /** The trained metasurface parameters [B, N, N] and electronic scales [B]. */
  params: Float32Array;
  scales: Float32Array;
  /** Kernels the trained ones are compared with (stage 1's, or the fresh network's), and the kernel-only model's. */
  targetKernels: Float32Array;
  kernelOnlyKernels: Float32Array;
  net: DepthNet;
  dataset: DepthDataset;
  protocol: DepthEvalProtocol;
  settings: SensorArraySettings;
  onProgress?: (done: number, total: number) => void;
}): Promise<SensorArrayEvaluation> {
  const { sensorArrayDesign } = await import("../dko/sensor-evaluation.js");
  const { opticalFirstLayer } = await import("../dko/optical-layer.js");
  const { evaluateDepth } = await import("../eval/evaluate-depth.js");
  const { bank, params, scales, dataset, net } = options;
  const design = sensorArrayDesign({
    bank,
    params,
    scales,
    // A part whose scale is zero contributes nothing: blocked, as DKO's empty parts.
    active: Array.from(scales, (s) => s !== 0),
    fitWindowPsfs: bank.forward("incident-energy", params),
    targetKernels: options.targetKernels,
    kernelOnlyKernels: options.kernelOnlyKernels,
    imagePixels: { height: dataset.test.height, width: dataset.test.width },
    settings: options.settings,
    onProgress: options.onProgress,
  });
  const { layer, kernel } = opticalFirstLayer(design.kernels, design.shape, net.config.firstLayer.stride, "E2E sensor array");
  try {
    const test = await evaluateDepth((rgb: tfTypes.Tensor4D) => net.predict(rgb, layer), dataset.test, { protocol: options.protocol });
    return { ...design.report, test };
  } finally {
    kernel.dispose();
  }
}
