// The window operator's fused phase input (field made in the tile layout, phase gradient read back from
// it) must give the PSFs and gradients of the plain path: transmission, aperture, mask, row-major tiles.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ComplexOps } from "../../src/engine/complex/complex-ops.js";
import { jsComplexOps } from "../../src/engine/complex/complex-ops-js.js";
import { nativeComplexOps } from "../../src/engine/native/complex-ops-native.js";
import { PhaseMetasurface, type MetasurfaceModel } from "../../src/optics/metasurface.js";
import { createPsfWindowModel, type ApertureSpec } from "../../src/optics/psf-model.js";
import type { WindowKernel } from "../../src/optics/window-validity.js";
import { maxRelativeError, randomReal } from "./helpers.js";

/** The phase metasurface without its phaseOnly flag: the model takes the plain path. */
const plainPhase = (): MetasurfaceModel => {
  const phase = new PhaseMetasurface();
  return { kind: "phase", parameterMeaning: phase.parameterMeaning, differentiable: true, forWavelength: (w, ops) => phase.forWavelength(w, ops) };
};

test("fused phase input equals the plain path: PSFs and gradients, masks and apertures, strided wavelength runs, both engines", () => {
  // Two wavelengths interleaved: each wavelength's items form a run with index step 2.
  const wavelengths_m = [460e-9, 640e-9, 460e-9, 640e-9, 460e-9];
  const N = 40;
  const engines = [jsComplexOps(), nativeComplexOps()].filter((ops): ops is ComplexOps => ops !== null);
  const cases: { kernel: WindowKernel; aperture: ApertureSpec; distortionTiles: number }[] = [
    { kernel: "rayleigh-sommerfeld", aperture: "square", distortionTiles: 3 },
    { kernel: "rayleigh-sommerfeld", aperture: "circle", distortionTiles: 4 },
    { kernel: "paraxial", aperture: "circle", distortionTiles: 0 },
  ];
  for (const ops of engines) {
    for (const { kernel, aperture, distortionTiles } of cases) {
      const options = { cells: N, cellPitch_m: 2e-6, distance_m: 4e-4, sensorPitch_m: 2.74e-6, windowPixels: 6, wavelengths_m, kernel, aperture, distortionTiles, subsamplesPerPixel: 3 };
      const fused = createPsfWindowModel({ ...options, metasurface: new PhaseMetasurface() }, ops);
      const plain = createPsfWindowModel({ ...options, metasurface: plainPhase() }, ops);
      const params = randomReal(wavelengths_m.length * N * N, 5, 8);
      const weights = randomReal(wavelengths_m.length * 36, 6);
      const a = fused.forwardWithVjp(params);
      const b = plain.forwardWithVjp(params);
      const label = `${ops.name} ${kernel} ${aperture}`;
      assert.ok(maxRelativeError(a.psf, b.psf) < 1e-5, `${label}: PSFs differ by ${maxRelativeError(a.psf, b.psf)}`);
      const gradient = a.vjp(weights);
      assert.ok(maxRelativeError(gradient, b.vjp(weights)) < 1e-4, `${label}: gradients differ by ${maxRelativeError(gradient, b.vjp(weights))}`);
      assert.ok(gradient.some((g) => g !== 0), `${label}: a zero gradient would pass trivially`);
    }
  }
});
