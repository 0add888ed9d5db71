/**
 * Shared data types between the data loaders (src/data) and training (src/train, src/models).
 * The on-disk format these describe is documented in src/data/README.md.
 */

/** Where a depth data set came from. */
export type DepthSource = "synthetic" | "nyu" | "kitti";

/** `manifest.json` of a depth data set directory; written last, so its presence marks a complete set. */
export interface DepthManifest {
  name: string;
  source: DepthSource;
  height: number;
  width: number;
  counts: { train: number; val: number; test: number };
  /** Smallest and largest valid depth in the whole set, metres. */
  depthRange_m: [number, number];
  seed?: number;
  generatorVersion?: string;
  /** ISO 8601 time the set was written. */
  createdAt: string;
}

/** One RGB-D sample. */
export interface DepthSample {
  /** H*W*3, HWC order, values in [0,1]. */
  rgb: Float32Array;
  /** H*W, metres; 0 marks an invalid (unknown) pixel. */
  depth_m: Float32Array;
}

/** One split (train, val or test) of a depth data set, with random access. */
export interface DepthSplit {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  get(index: number): DepthSample;
}

/** A depth data set opened from a directory (see openDepthDataset in depth-dataset.ts). */
export interface DepthDataset {
  readonly dir: string;
  readonly manifest: DepthManifest;
  readonly train: DepthSplit;
  readonly val: DepthSplit;
  readonly test: DepthSplit;
}

export type DepthSplitName = "train" | "val" | "test";

/** Fashion-MNIST (or any 28x28 IDX) images with labels, for the classification track. */
export interface ClassificationSet {
  /** N*28*28, row-major, values in [0,1]. */
  images: Float32Array;
  /** N class indices 0..9. */
  labels: Uint8Array;
  count: number;
  height: 28;
  width: 28;
}
