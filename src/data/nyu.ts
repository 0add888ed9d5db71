import { resolve } from "node:path";
import { writeDepthDataset } from "./dataset-writer.js";
import { checkHdf5File } from "./hdf5-file.js";
import { centredAspectCrop, resampleArea, type Region } from "./resample.js";
import type { DepthManifest, DepthSplitName } from "./types.js";

/**
 * NYU Depth v2 labeled set (nyu_depth_v2_labeled.mat, MATLAB v7.3 = HDF5). MATLAB stores `images` as
 * 480x640x3x1449 and `depths` as 480x640x1449 in column-major order, so HDF5 (row-major) sees the axes
 * reversed: images [N, 3, W=640, H=480] uint8 and depths [N, W=640, H=480] float metres (inpainted,
 * dense). Element images[n][c][x][y] is pixel (row y, column x) of channel c.
 */
const EXPECTED_LAYOUT = "NYU Depth v2 labeled .mat (HDF5) with datasets images [N, 3, W, H] uint8 and depths [N, W, H] float";

/** Eigen et al.'s evaluation crop of the 480x640 frames (rows 45..470, columns 41..600), which drops the
 * border that has no depth after registration; applied proportionally to other frame sizes. */
function eigenCrop(height: number, width: number): Region {
  const top = Math.round((45 / 480) * height);
  const left = Math.round((41 / 640) * width);
  return { top, left, height: Math.round((471 / 480) * height) - top, width: Math.round((601 / 640) * width) - left };
}

type H5Dataset = { shape: number[] | null; metadata: { type: number; size: number; signed: boolean }; slice(ranges: ([] | [number, number])[]): unknown };

export interface NyuFile {
  path: string;
  count: number;
  /** Frame size (rows, columns). */
  height: number;
  width: number;
  /** Frame n as HWC uint8 rgb and HW depth in metres; reads only that frame from disk. */
  read(index: number): { rgb: Uint8Array; depth_m: Float32Array };
  close(): void;
}

/** Opens the labeled .mat file and checks its layout; frames are read one at a time (constant memory). */
export async function openNyuMat(matPath: string): Promise<NyuFile> {
  const path = resolve(matPath);
  checkHdf5File(path, EXPECTED_LAYOUT);
  // A variable specifier: the notebook kernel resolves types Node10-style, which cannot see subpath exports.
  const nodeBuild = "h5wasm/node";
  const h5wasm = ((await import(nodeBuild)) as { default: typeof import("h5wasm").default }).default;
  await h5wasm.ready;
  const file = new h5wasm.File(path, "r");
  if (file.file_id < 0n) throw new Error(`${path}: HDF5 could not open the file (corrupt?); expected ${EXPECTED_LAYOUT}`);
  try {
    const keys = file.keys();
    const dataset = (name: string): H5Dataset => {
      const entity = file.get(name);
      if (!entity || !(entity instanceof h5wasm.Dataset)) {
        throw new Error(`${path}: no dataset "${name}" (found: ${keys.join(", ") || "nothing"}); expected ${EXPECTED_LAYOUT}`);
      }
      return entity as unknown as H5Dataset;
    };
    const images = dataset("images");
    const depths = dataset("depths");
    const imageShape = images.shape ?? [];
    const depthShape = depths.shape ?? [];
    if (imageShape.length !== 4 || imageShape[1] !== 3 || images.metadata.type !== 0 || images.metadata.size !== 1 || images.metadata.signed) {
      throw new Error(`${path}: dataset "images" is [${imageShape.join(", ")}] of ${images.metadata.size}-byte ${images.metadata.type === 0 ? "integers" : "floats"}; expected [N, 3, W, H] uint8 (${EXPECTED_LAYOUT})`);
    }
    if (depthShape.length !== 3 || depths.metadata.type !== 1) {
      throw new Error(`${path}: dataset "depths" is [${depthShape.join(", ")}] of ${depths.metadata.type === 1 ? "floats" : "non-floats"}; expected [N, W, H] float (${EXPECTED_LAYOUT})`);
    }
    const [count, , width, height] = imageShape;
    if (depthShape[0] !== count) {
      throw new Error(`${path}: "images" holds ${count} frames but "depths" holds ${depthShape[0]}; they must match (${EXPECTED_LAYOUT})`);
    }
    if (depthShape[1] !== width || depthShape[2] !== height) {
      throw new Error(`${path}: "images" frames are W=${width} x H=${height} but "depths" frames are W=${depthShape[1]} x H=${depthShape[2]}; they must match`);
    }
    const read = (index: number) => {
      if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`${path}: frame ${index} is outside 0..${count - 1}`);
      let planes: ArrayLike<number>;
      let depthPlane: ArrayLike<number>;
      try {
        planes = images.slice([[index, index + 1], [], [], []]) as ArrayLike<number>;
        depthPlane = depths.slice([[index, index + 1], [], []]) as ArrayLike<number>;
      } catch (error) {
        throw new Error(`${path}: reading frame ${index} failed (${(error as Error).message}); the file may be corrupt`);
      }
      const pixels = height * width;
      if (planes?.length !== 3 * pixels || depthPlane?.length !== pixels) throw new Error(`${path}: reading frame ${index} returned incomplete data; the file may be corrupt`);
      const rgb = new Uint8Array(pixels * 3);
      const depth_m = new Float32Array(pixels);
      // File order [c][x][y] -> HWC [y][x][c].
      for (let x = 0; x < width; x++) {
        for (let y = 0; y < height; y++) {
          const pixel = y * width + x;
          const source = x * height + y;
          rgb[pixel * 3] = planes[source];
          rgb[pixel * 3 + 1] = planes[pixels + source];
          rgb[pixel * 3 + 2] = planes[2 * pixels + source];
          const d = depthPlane[source];
          depth_m[pixel] = Number.isFinite(d) && d > 0 ? d : 0;
        }
      }
      return { rgb, depth_m };
    };
    return { path, count, height, width, read, close: () => file.close() };
  } catch (error) {
    file.close();
    throw error;
  }
}

export interface NyuConversionOptions {
  matPath: string;
  dir: string;
  name?: string;
  height?: number;
  width?: number;
  /** "eigen" (default): drop the unregistered border first; "none": use the whole frame. */
  crop?: "eigen" | "none";
  /** Fractions of the frames for val and test (default 0.1 each); the split is contiguous, see below. */
  valFraction?: number;
  testFraction?: number;
  overwrite?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Converts the labeled set to an optocnn depth data set at the model size: crop, centred crop to the
 * model's aspect ratio, area-average resize (depth averages valid pixels only). The splits are contiguous
 * blocks in file order (train first, then val, then test) because consecutive frames come from the same
 * scene: a random split would put near-duplicates in train and test. (The official 795/654 scene split
 * lives in a separate splits.mat, not read here.)
 */
export async function convertNyu(options: NyuConversionOptions): Promise<DepthManifest> {
  const height = options.height ?? 64;
  const width = options.width ?? 64;
  const nyu = await openNyuMat(options.matPath);
  try {
    const valCount = Math.floor(nyu.count * (options.valFraction ?? 0.1));
    const testCount = Math.floor(nyu.count * (options.testFraction ?? 0.1));
    const counts = { train: nyu.count - valCount - testCount, val: valCount, test: testCount };
    const offsets: Record<DepthSplitName, number> = { train: 0, val: counts.train, test: counts.train + counts.val };
    const full: Region = { top: 0, left: 0, height: nyu.height, width: nyu.width };
    const region = centredAspectCrop((options.crop ?? "eigen") === "eigen" ? eigenCrop(nyu.height, nyu.width) : full, height, width);
    return await writeDepthDataset(
      { dir: options.dir, name: options.name, source: "nyu", height, width, counts, overwrite: options.overwrite, onProgress: options.onProgress },
      (split, index) => {
        const frame = nyu.read(offsets[split] + index);
        const rgb = resampleArea(frame.rgb, nyu.width, 3, region, height, width, false);
        for (let k = 0; k < rgb.length; k++) rgb[k] /= 255;
        return { rgb, depth_m: resampleArea(frame.depth_m, nyu.width, 1, region, height, width, true) };
      },
    );
  } finally {
    nyu.close();
  }
}
