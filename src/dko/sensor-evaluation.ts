import { meanOf, nmse } from "../eval/nmse.js";
import { PlaneStack } from "../optics/plane-stack.js";
import type { KernelBankShape } from "../optics/kernels.js";
import { arrayBandPsfs, type ArrayBands } from "./array-psfs.js";
import type { SensorArraySettings } from "./config.js";
import type { DkoDesign } from "./design-files.js";
import { ghostOrders, type GhostOrderReport } from "./ghost-orders.js";
import type { OpticsBank } from "./optics-bank.js";
import { arrayLayout } from "./sensor-array.js";
import { padKernels, sensorFormation } from "./sensor-formation.js";
import type { SensorArrayReport } from "./sensor-report.js";

/**
 * The optical first layer as the sensor of the whole array forms it (sensor-formation.ts has the model): each
 * sub-image with its metasurface's PSF over the whole image (halo included) plus the light its neighbours
 * send into it, for scoring the stage-1 back end next to the kernel-only model. What the network sees is an
 * effective kernel per (output channel, input colour) as wide as the image's reach; this file computes the
 * PSFs that need (array-psfs.ts), the gains, and the energy bookkeeping that says where each metasurface's
 * light goes and where each sub-image's comes from.
 */
export interface SensorArrayDesign {
  /** Effective correlation kernels [S, S, in, out] and their shape (kernelSize S). */
  kernels: Float32Array;
  shape: KernelBankShape;
  /**
   * Each metasurface's incident-energy PSF over its own sub-image [B, P, P] (zeros for the inactive parts,
   * which are blocked): the bookkeeping's input, kept so the PSF inspection need not form it again.
   */
  subImagePsfs: Float32Array;
  report: SensorArrayReport;
}

/** Rings that reach the sub-images the first grating orders land on (at least the nearest neighbours). */
export function ringsForGhosts(report: GhostOrderReport): number {
  return Math.max(1, ...report.orders.map((order) => Math.max(Math.abs(order.subImage[0]), Math.abs(order.subImage[1]))));
}

export function sensorArrayDesign(options: {
  bank: OpticsBank;
  /** Metasurface parameters [B, N, N]. */
  params: Float32Array;
  /** Electronic scales [B] and which parts are active (the others are blocked). */
  scales: Float32Array;
  active: readonly boolean[];
  /** Incident-energy PSFs of the fit windows [B, M, M] (the kernel-only model's normalisation). */
  fitWindowPsfs: Float32Array;
  /** The trained kernels and the kernel-only model's realised kernels [k, k, in, out]. */
  targetKernels: Float32Array;
  kernelOnlyKernels: Float32Array;
  imagePixels: { height: number; width: number };
  settings: SensorArraySettings;
  /** Metasurfaces whose PSFs are done, of all the formation computes (the band grid, then the sub-images). */
  onProgress?: (done: number, total: number) => void;
}): SensorArrayDesign {
  const start = performance.now();
  const { bank, params, scales, active, fitWindowPsfs, imagePixels, settings } = options;
  const { optics, shape } = bank;
  const B = bank.count;
  const M = bank.windowPixels;
  const k = shape.kernelSize;
  const propagation = settings.propagation ?? "window";
  const aperture_m = optics.cells * optics.cellPitch_m;
  const array = arrayLayout({ count: B, inChannels: shape.inChannels, aperture_m, sensorPitch_m: optics.sensorPitch_m }, settings.pitch_m ?? aperture_m);
  const ghosts = ghostOrders({ ...optics, wavelengths_m: optics.channelWavelengths_m, pitch_m: array.pitch_m, imagePixels });
  const rings = settings.rings ?? ringsForGhosts(ghosts);
  const S = 2 * Math.max(imagePixels.height, imagePixels.width) - 1;
  const bands: ArrayBands = { rings, bandPixels: S, pitch_m: array.pitch_m, sensorPitch_m: optics.sensorPitch_m };
  const emitting = Array.from(active);
  const activeIndices = emitting.flatMap((on, b) => (on ? [b] : []));
  const L = (2 * rings + 1) * S;

  const bandPsfs = new Float32Array(B * L * L);
  const total = 2 * activeIndices.length;
  const computed = arrayBandPsfs(bank, params, activeIndices, bands, { propagation, onProgress: (done) => options.onProgress?.(done, total) });
  activeIndices.forEach((b, i) => bandPsfs.set(computed.subarray(i * L * L, (i + 1) * L * L), b * L * L));

  // The kernel-only model's gains: s_b over the light in the fit window (its PSFs are unit-sum there).
  const gains = new Float32Array(B);
  for (const b of activeIndices) {
    let energy = 0;
    for (let i = b * M * M; i < (b + 1) * M * M; i++) energy += fitWindowPsfs[i];
    gains[b] = energy > 0 ? scales[b] / energy : 0;
  }
  const formation = sensorFormation({ shape, cols: array.cols, bands, bandPsfs, gains, emitting });

  // Where each metasurface's light goes: its whole sub-image, same model and nodes.
  const P = array.subImagePixels;
  const own = arrayBandPsfs(bank, params, activeIndices, { rings: 0, bandPixels: P, pitch_m: array.pitch_m, sensorPitch_m: optics.sensorPitch_m }, {
    propagation,
    onProgress: (done) => options.onProgress?.(activeIndices.length + done, total),
  });
  const ownKernels = new PlaneStack(own, { count: activeIndices.length, size: P }, "own sub-image PSFs").cropCentred(k).data;
  const emittedKernel = new Array<number>(B).fill(0);
  const emittedHalo = new Array<number>(B).fill(0);
  const beyondSubImage = new Array<number>(B).fill(0);
  const subImagePsfs = new Float32Array(B * P * P);
  activeIndices.forEach((b, i) => {
    subImagePsfs.set(own.subarray(i * P * P, (i + 1) * P * P), b * P * P);
    const inKernel = sum(ownKernels.subarray(i * k * k, (i + 1) * k * k));
    const onSubImage = sum(own.subarray(i * P * P, (i + 1) * P * P));
    emittedKernel[b] = inKernel;
    emittedHalo[b] = onSubImage - inKernel;
    beyondSubImage[b] = Math.max(0, 1 - onSubImage);
  });
  const share = (part: (light: (typeof formation.received)[number]) => number) =>
    formation.received.map((light) => {
      const total = light.kernel + light.halo + light.neighbours;
      return total > 0 ? part(light) / total : 0;
    });
  const receivedKernelShare = share((light) => light.kernel);
  const receivedHaloShare = share((light) => light.halo);
  const receivedNeighbourShare = share((light) => light.neighbours);
  const read = activeIndices.filter((b) => gains[b] > 0);
  const meanOver = (values: number[], indices: number[]) => meanOf(indices.map((b) => values[b]));

  const effectiveShape = { ...shape, kernelSize: S };
  const farthestSample_m = rings * array.pitch_m + ((S - 1) / 2 + 0.5) * optics.sensorPitch_m;
  const z = optics.distance_m;
  const placementError_px = (farthestSample_m - (z * farthestSample_m) / Math.hypot(z, farthestSample_m)) / optics.sensorPitch_m;
  const um = (x: number) => +(x * 1e6).toPrecision(4);
  return {
    kernels: formation.kernels,
    shape: effectiveShape,
    subImagePsfs,
    report: {
      description: `${B} metasurfaces in ${array.rows} x ${array.cols} at ${um(array.pitch_m)} um pitch, ${rings} ring(s) of neighbours, ${S}x${S} effective kernels (${propagation} propagation)`,
      propagation,
      pitch_m: array.pitch_m,
      spacing_m: array.pitch_m - aperture_m,
      layout: { rows: array.rows, cols: array.cols },
      subImagePixels: P,
      rings,
      ringsFrom: settings.rings === undefined ? "first grating orders" : "setting",
      kernelPixels: S,
      imagePixels,
      kernelBankNmse: nmse(formation.kernels, padKernels(options.targetKernels, shape, S)),
      changeFromKernelOnly: nmse(formation.kernels, padKernels(options.kernelOnlyKernels, shape, S)),
      emitted: { kernel: meanOver(emittedKernel, activeIndices), halo: meanOver(emittedHalo, activeIndices), beyondSubImage: meanOver(beyondSubImage, activeIndices) },
      received: { kernel: meanOver(receivedKernelShare, read), halo: meanOver(receivedHaloShare, read), neighbours: meanOver(receivedNeighbourShare, read) },
      perMetasurface: { emittedKernel, emittedHalo, beyondSubImage, receivedHaloShare, receivedNeighbourShare },
      reach: {
        farthestSample_m,
        angle_rad: Math.atan(farthestSample_m / z),
        windowModelPlacementError_px: placementError_px,
        warning:
          propagation === "window" && placementError_px > 1
            ? `the window model (paraxial in where off-axis light lands) puts light arriving ${um(farthestSample_m)} um off axis (${((Math.atan(farthestSample_m / z) * 180) / Math.PI).toFixed(1)} deg) ${placementError_px.toFixed(1)} px from where it lands: neighbour light and grating orders are misplaced by up to that much; sensorArray.propagation "cell-asm" computes them exactly at far higher cost`
            : null,
      },
      seconds: (performance.now() - start) / 1000,
    },
  };
}

function sum(values: Float32Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}

/** sensorArrayDesign of a finished DKO result read back from its directory (design-files.ts), e.g. to form it with other settings. */
export function sensorArrayOfDesign(design: DkoDesign, imagePixels: { height: number; width: number }, settings: SensorArraySettings, onProgress?: (done: number, total: number) => void): SensorArrayDesign {
  return sensorArrayDesign({
    bank: design.bank,
    params: design.params,
    scales: design.scales,
    active: design.summary.kernels.map((kernel) => kernel.active),
    fitWindowPsfs: design.bank.forward("incident-energy", design.params),
    targetKernels: design.targetKernels,
    kernelOnlyKernels: design.realisedKernels,
    imagePixels,
    settings,
    onProgress,
  });
}
