import type { SetMetrics } from "../eval/evaluate-depth.js";
import type { KernelBankShape } from "../optics/kernels.js";
import { opticalFirstLayer } from "./optical-layer.js";

/** Scores the stage-1 back end behind any first-layer kernel bank on the first `testImages` test scenes. */
export interface KernelScorer {
  testImages: number;
  score(kernels: Float32Array, label: string): Promise<SetMetrics>;
  dispose(): void;
}

export async function createKernelScorer(options: { stage1Dir: string; dataDir: string; shape: KernelBankShape; testImages: number }): Promise<KernelScorer> {
  const tf = await import("@tensorflow/tfjs");
  const { loadRun } = await import("../train/load-run.js");
  const { openDepthDataset } = await import("../data/depth-dataset.js");
  const { evaluateDepth } = await import("../eval/evaluate-depth.js");
  const run = await loadRun(options.stage1Dir);
  const dataset = await openDepthDataset(options.dataDir);
  const testImages = Math.min(options.testImages, dataset.test.count);
  const { defaultProtocol } = await import("../eval/depth-protocol.js");
  // Scored like the stage-1 run, so the numbers compare with its summary.
  const protocol = run.config.evalProtocol ?? defaultProtocol(dataset.manifest.source);
  return {
    testImages,
    async score(kernels, label) {
      const { layer, kernel } = opticalFirstLayer(kernels, options.shape, run.net.config.firstLayer.stride, label);
      try {
        return await evaluateDepth((rgb) => run.net.predict(rgb, layer), dataset.test, { protocol, limit: testImages });
      } finally {
        kernel.dispose();
      }
    },
    dispose() {
      run.net.dispose();
      tf.dispose([...run.extra.values()]);
    },
  };
}
