/**
 * Regenerates nanopillar-tio2.json from the waveguide model in ../nanopillar-model.ts:
 * node --import tsx src/optics/data/generate-nanopillar-tio2.ts
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeJsonAtomic } from "../../io/atomic.js";
import { modelNanopillarTable } from "../nanopillar-model.js";

const radii_m = Array.from({ length: 121 }, (_, i) => Number(((15 + i) * 1e-9).toPrecision(6)));
const table = modelNanopillarTable({ radii_m, wavelengths_m: [460e-9, 550e-9, 640e-9], height_m: 600e-9, cellPitch_m: 300e-9 });
const path = join(dirname(fileURLToPath(import.meta.url)), "nanopillar-tio2.json");
writeJsonAtomic(path, table);
console.log(`wrote ${path}`);
