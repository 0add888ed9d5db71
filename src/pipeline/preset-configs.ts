import { resolveDkoConfig, type DkoConfig, type DkoOverrides } from "../dko/config.js";
import { resolveNtkdConfig, type NtkdConfig, type NtkdOverrides } from "../ntkd/config.js";
import { completeNetConfig, type DepthNetConfig, type TrainConfig } from "../models/depth-net-config.js";
import { PRESETS, type PresetName } from "./presets.js";

type DataShape = { height: number; width: number; depthRange_m: [number, number] };

/** A preset's stage-1 network for a data set of the given size and depth range. */
export function presetNetConfig(preset: PresetName, data: DataShape, seed = 0): DepthNetConfig {
  return completeNetConfig(PRESETS[preset].stage1.net, data, seed);
}

/** A preset expanded into a stage-1 run's network and training settings, with optional overrides. */
export function presetRunConfig(
  preset: PresetName,
  data: DataShape,
  overrides: { seed?: number; batchSize?: number; learningRate?: number } = {},
): { preset: PresetName; net: DepthNetConfig; train: TrainConfig } {
  const seed = overrides.seed ?? 0;
  const train = PRESETS[preset].stage1.train;
  return {
    preset,
    net: presetNetConfig(preset, data, seed),
    train: { ...train, seed, batchSize: overrides.batchSize ?? train.batchSize, learningRate: overrides.learningRate ?? train.learningRate },
  };
}

/** A preset's DKO settings with overrides, validated (errors name the field, e.g. "optics.cells"). */
export function presetDkoConfig(preset: PresetName, overrides: DkoOverrides = {}): DkoConfig {
  return resolveDkoConfig({ preset, ...PRESETS[preset].dko }, overrides);
}

/** The sensor-formation scoring settings of a preset's stage 2, or the defaults when the preset sets none. */
export function presetSensorArraySettings(preset: PresetName): NonNullable<DkoConfig["evaluation"]["sensorArray"]> {
  return presetDkoConfig(preset).evaluation.sensorArray ?? {};
}

/** A preset's NTKD settings with overrides, validated (errors name the field, e.g. "student.kernelSize"). */
export function presetNtkdConfig(preset: PresetName, overrides: NtkdOverrides = {}): NtkdConfig {
  return resolveNtkdConfig(preset, PRESETS[preset].ntkd, overrides);
}
