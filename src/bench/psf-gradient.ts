import { createRandom } from "../util/random.js";
import { initComplexOps } from "../engine/complex/select.js";
import { RGB_WAVELENGTHS_M } from "../optics/kernels.js";
import { PhaseMetasurface } from "../optics/metasurface.js";
import { createFullFieldPsfModel, type PsfModel } from "../optics/psf-model.js";

/**
 * Timing for `optocnn bench`: PSF plus the full gradient (forward, adjoint) of `batch` phase
 * metasurfaces of size x size cells through band-limited angular-spectrum propagation with
 * `padding`x zero-padding (one R/G/B wavelength per metasurface, cycling), median over repeats.
 */
export async function benchPsfGradient(options: { size: number; batch: number; padding: number }): Promise<{ ms: number; method: string }> {
  const { ops } = await initComplexOps();
  const { size, batch, padding } = options;
  const wavelengths_m = Array.from({ length: batch }, (_, b) => RGB_WAVELENGTHS_M[b % 3]);
  const model = createFullFieldPsfModel(
    { cells: size, cellPitch_m: 1.5e-6, distance_m: 1e-3, wavelengths_m, metasurface: new PhaseMetasurface(), method: "asm", padding },
    ops,
  );
  const random = createRandom(1);
  const params = Float32Array.from({ length: batch * size * size }, () => 2 * Math.PI * random());
  const gradPsf = Float32Array.from({ length: batch * model.windowPixels ** 2 }, () => random() - 0.5);
  const step = (m: PsfModel) => m.forwardWithVjp(params).vjp(gradPsf);
  step(model);
  const repeats = batch > 8 ? 3 : 5;
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    step(model);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], method: `asm full field, ${padding}x padding, ${ops.name} complex ops` };
}
