import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initEngine } from "../../src/engine/backend.js";
import { buildDepthNet } from "../../src/models/depth-net.js";
import { assignTensors } from "../../src/models/weights-io.js";
import { AdamW } from "../../src/train/adam.js";
import { latestCheckpointDir, loadCheckpoint, saveCheckpoint, type TrainState } from "../../src/train/checkpoint.js";
import { silogLoss } from "../../src/train/depth-loss.js";
import { BatchSchedule } from "../../src/train/batches.js";
import { tinyConfig, tinyDataset } from "./fixtures.js";

test("checkpoint round trip restores weights and optimizer state exactly", async () => {
  await initEngine();
  const { root, dataset } = await tinyDataset();
  try {
    const config = tinyConfig(dataset);
    const net = buildDepthNet(config.net);
    const optimizer = new AdamW(net.variables, { weightDecay: 1e-4 });
    const schedule = new BatchSchedule(dataset.train, 4, 0, true);
    const step = (s: number) => {
      const batch = schedule.batchAt(s);
      const { grads, value } = tf.variableGrads(() => silogLoss(net.predict(batch.rgb), batch.depth, batch.mask, 0.85), net.trainableWeights);
      optimizer.apply(new Map([...net.variables].map(([n, v]) => [n, grads[v.name]])), 1e-3);
      tf.dispose([value, ...Object.values(grads), batch.rgb, batch.depth, batch.mask]);
    };
    for (let s = 0; s < 3; s++) step(s);
    const state: TrainState = { step: 3, trainSeconds: 1.5, wallSeconds: 2, lossSum: 0.7, lossCount: 3, history: [] };
    saveCheckpoint(root, net.variables, optimizer.stateTensors(), state);
    saveCheckpoint(root, net.variables, optimizer.stateTensors(), { ...state, step: 4 });
    saveCheckpoint(root, net.variables, optimizer.stateTensors(), { ...state, step: 5 });
    const latest = latestCheckpointDir(root)!;
    assert.match(latest, /step-00000005$/);
    const loaded = loadCheckpoint(latest);
    assert.deepEqual(loaded.state, { ...state, step: 5 });

    const restored = buildDepthNet({ ...config.net, seed: 99 });
    assignTensors(restored.variables, loaded.weights, "checkpoint");
    const restoredOptimizer = new AdamW(restored.variables, { weightDecay: 1e-4 });
    restoredOptimizer.restore(loaded.optimizer, 3, "checkpoint");
    for (const [name, v] of net.variables) assert.deepEqual(Array.from(restored.variables.get(name)!.dataSync()), Array.from(v.dataSync()), name);
    const a = optimizer.stateTensors();
    const b = restoredOptimizer.stateTensors();
    assert.deepEqual([...a.keys()], [...b.keys()]);
    for (const [name, t] of a) assert.deepEqual(Array.from(b.get(name)!.dataSync()), Array.from(t.dataSync()), name);
    assert.equal(restoredOptimizer.step, optimizer.step);
    // the next update from the restored state equals the next update of the original
    step(3);
    const batch = schedule.batchAt(3);
    const { grads, value } = tf.variableGrads(() => silogLoss(restored.predict(batch.rgb), batch.depth, batch.mask, 0.85), restored.trainableWeights);
    restoredOptimizer.apply(new Map([...restored.variables].map(([n, v]) => [n, grads[v.name]])), 1e-3);
    tf.dispose([value, ...Object.values(grads)]);
    for (const [name, v] of net.variables) assert.deepEqual(Array.from(restored.variables.get(name)!.dataSync()), Array.from(v.dataSync()), name);
    // only the two newest checkpoints are kept
    const { readdirSync } = await import("node:fs");
    assert.deepEqual(readdirSync(join(root, "checkpoints")).filter((f) => f.startsWith("step-")).sort(), ["step-00000004", "step-00000005"]);
    [net, restored].forEach((n) => n.dispose());
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
