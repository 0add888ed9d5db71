import type * as tf from "@tensorflow/tfjs";
import { buildDepthNet, type DepthNet } from "../models/depth-net.js";
import { assignTensors, loadTensors } from "../models/weights-io.js";
import { readRunConfig, readRunSummary, resolveWeightsDir, type RunConfigFile, type RunSummary } from "./run-files.js";

/**
 * Opens a depth run: its config, the electronic network with the run's final weights (or its newest
 * checkpoint when it was interrupted) and its summary (null if unfinished). The caller disposes net.
 * Weights of a replacement first layer (saved as "replacement.*") are returned separately in `extra`.
 */
export async function loadRun(dir: string): Promise<{ config: RunConfigFile; net: DepthNet; summary: RunSummary | null; weightsDir: string; extra: Map<string, tf.Tensor> }> {
  const { initEngine } = await import("../engine/backend.js");
  await initEngine();
  const config = readRunConfig(dir);
  const weightsDir = resolveWeightsDir(dir);
  const saved = loadTensors(weightsDir);
  const net = buildDepthNet(config.net);
  assignTensors(net.variables, saved, weightsDir, { allowExtra: true });
  const extra = new Map([...saved].filter(([name]) => !net.variables.has(name)));
  for (const [name, tensor] of saved) if (net.variables.has(name)) tensor.dispose();
  return { config, net, summary: readRunSummary(dir), weightsDir, extra };
}
