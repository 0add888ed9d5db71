import { join } from "node:path";
import { PROJECT_ROOT } from "../io/paths.js";
import { PRESETS, type Preset, type PresetName } from "./presets.js";

/**
 * The one directory layout the CLI, the notebooks and `optocnn reproduce` share, so each reuses the
 * others' work: data sets in data/, runs in runs/<preset>/, figures and notebook exports in figures/.
 */
export interface Layout {
  dataDir: string;
  stage1Dir: string;
  dkoDir: string;
  ntkdDir: string;
  /** `optocnn e2e`'s run (one variant; the variant names the subdirectory). */
  e2eDir: (variant: string) => string;
  /** A comparison at these budget factors (the notebook runs fewer than the CLI, so they do not collide). */
  compareDir: (budgetFactors: readonly number[]) => string;
  figuresDir: string;
}

export function presetLayout(preset: Preset, root: string = PROJECT_ROOT): Layout {
  const runs = join(root, "runs", preset.name);
  const { height, width } = preset.data;
  return {
    dataDir: join(root, "data", `synth${height === width ? height : `${height}x${width}`}-${preset.name}`),
    stage1Dir: join(runs, "stage1"),
    dkoDir: join(runs, "dko"),
    ntkdDir: join(runs, "ntkd"),
    e2eDir: (variant) => join(runs, "e2e", variant),
    compareDir: (budgetFactors) => join(runs, `compare-x${budgetFactors.join("-")}`),
    // Tests point figures elsewhere, so a test run never mixes with a reproduce run's exports.
    figuresDir: process.env.OPTOCNN_FIGURES_DIR || join(root, "figures"),
  };
}

/** The layout of a preset by name. */
export function layoutOf(name: PresetName): Layout {
  return presetLayout(PRESETS[name]);
}
