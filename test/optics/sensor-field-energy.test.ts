// SensorIntegration.fieldEnergy / fieldEnergyVjp (the fused |u|^2 -> pixel energy step of the PSF
// model) against the separate intensity and integration steps, and the vjp against a finite difference.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PlanarComplex } from "../../src/engine/complex/complex-ops.js";
import { SensorIntegration } from "../../src/optics/sensor-integration.js";
import { randomComplex, randomReal, relativeError } from "./helpers.js";

const batch = 2;
const samples = 12;
const coordinates = Float64Array.from({ length: samples }, (_, i) => (i - samples / 2) * 0.7e-6);
// Coinciding pixels (full-field PSFs at the sample pitch) and 2.1 um pixels over 0.7 um samples.
const sensors: [string, SensorIntegration][] = [
  ["coinciding pixels", SensorIntegration.overlapping(coordinates, 0.7e-6, samples, 0.7e-6)],
  ["3x3 samples per pixel", SensorIntegration.overlapping(coordinates, 0.7e-6, 4, 2.1e-6)],
];

function intensity(u: PlanarComplex): Float32Array {
  return u.re.map((re, i) => re * re + u.im[i] * u.im[i]);
}

for (const [name, sensor] of sensors) {
  test(`fieldEnergy equals the integrated intensity, and its vjp 2 adjoint(g) u matches a finite difference (${name})`, () => {
    const u = randomComplex(batch * samples * samples, 5);
    const energy = sensor.fieldEnergy(u, batch);
    const expected = sensor.forward(intensity(u), batch);
    assert.ok(relativeError({ re: energy, im: new Float32Array(energy.length) }, { re: expected, im: new Float32Array(expected.length) }) < 1e-6);

    const pixels = sensor.pixels;
    const g = randomReal(batch * pixels * pixels, 6);
    const gradient = sensor.fieldEnergyVjp(g, u, batch);
    // d/de <g, E(u + e v)> at e = 0 equals Re <G_u, v> for G_u = 2 dL/d(conj u).
    const v = randomComplex(u.re.length, 7);
    const step = 1e-3;
    const loss = (e: number): number => {
      const shifted = { re: u.re.map((x, i) => x + e * v.re[i]), im: u.im.map((x, i) => x + e * v.im[i]) };
      const energies = sensor.fieldEnergy(shifted, batch);
      return energies.reduce((sum, x, i) => sum + g[i] * x, 0);
    };
    const numeric = (loss(step) - loss(-step)) / (2 * step);
    let analytic = 0;
    for (let i = 0; i < v.re.length; i++) analytic += gradient.re[i] * v.re[i] + gradient.im[i] * v.im[i];
    assert.ok(Math.abs(numeric - analytic) < 1e-3 * Math.abs(analytic), `numeric ${numeric} vs analytic ${analytic}`);
  });
}
