import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import h5wasm from "h5wasm/node";
import { encodeNpy, writeNpy } from "../../src/io/npy.js";
import { inPool, runCli, snapshot, snapshotChanges } from "./cli-harness.js";

/**
 * Bad input as a new user gives it, across the commands: each case must exit non-zero with a message
 * that names the flag or file and the fix (in the flag's units, without errno codes, JSON parse
 * positions, zod arrays or internal names), and must leave its working directory and the shared
 * fixtures exactly as they were.
 */
const root = mkdtempSync(join(tmpdir(), "optocnn-bad-input-"));
const fixtures = join(root, "fixtures");
after(() => rmSync(root, { recursive: true, force: true }));

const PSF = ["psf", "--wavelength-nm", "550", "--pitch-um", "2", "--distance-mm", "5", "--method", "asm"];
const F = (name: string) => join(fixtures, name);

interface BadInput {
  name: string;
  args: (dir: string) => string[];
  /** Files the case needs in its own directory before it runs. */
  setup?: (dir: string) => void;
  message: RegExp;
}

/** Messages must never show these: raw errno codes, parse positions, zod issue arrays, internal names. */
const LEAKS = /\bE(ISDIR|NOTDIR|EXIST|PERM|ACCES|NOENT)\b|at position \d|"code":|\[\s*\{\s*"|outputCoordinates_m|fresnel-ir|lens-focus|Error: |    at /;

const copyRun = (dir: string) => cpSync(F("run"), join(dir, "run"), { recursive: true });

const CASES: BadInput[] = [
  // psf
  { name: "psf: --out is the --phase input", args: () => [...PSF, "--phase", F("phase.npy"), "--out", F("phase.npy"), "--force"], message: /--out .* is also the input --phase.*Choose another --out/ },
  { name: "psf: --out exists, no --force", setup: (d) => writeNpy(join(d, "a.npy"), { data: new Float32Array(4), shape: [2, 2] }), args: () => [...PSF, "--phase", F("phase.npy"), "--out", "a.npy"], message: /--out a\.npy already exists; pass --force/ },
  { name: "psf: --force over a file optocnn did not write", setup: (d) => writeFileSync(join(d, "notes.npy"), "my notes"), args: () => [...PSF, "--phase", F("phase.npy"), "--out", "notes.npy", "--force"], message: /not a PSF \.npy written by optocnn; --force only replaces/ },
  { name: "psf: --out is a directory", setup: (d) => mkdirSync(join(d, "folder")), args: () => [...PSF, "--phase", F("phase.npy"), "--out", "folder"], message: /--out folder is a directory; give a file path/ },
  { name: "psf: --out under a file", args: () => [...PSF, "--phase", F("phase.npy"), "--out", join(F("phase.npy"), "psf.npy")], message: /--out .*phase\.npy is a file, not a folder/ },
  { name: "psf: wavelength in micrometres", args: () => ["psf", "--phase", F("phase.npy"), "--wavelength-nm", "0.55", "--pitch-um", "2", "--distance-mm", "5", "--method", "asm", "--out", "x.npy"], message: /--wavelength-nm: is in nanometres .*looks like micrometres: give 550/ },
  { name: "psf: pitch in metres", args: () => ["psf", "--phase", F("phase.npy"), "--wavelength-nm", "550", "--pitch-um", "2e-6", "--distance-mm", "5", "--method", "asm", "--out", "x.npy"], message: /--pitch-um: is in micrometres \(0\.01\.\.1000\)/ },
  { name: "psf: distance in micrometres", args: () => ["psf", "--phase", F("phase.npy"), "--wavelength-nm", "550", "--pitch-um", "2", "--distance-mm", "5000", "--method", "asm", "--out", "x.npy"], message: /--distance-mm: is in millimetres .*looks like micrometres: give 5\b/ },
  { name: "psf: unknown method", args: () => [...PSF.slice(0, -2), "--method", "lens", "--phase", F("phase.npy"), "--out", "x.npy"], message: /--method: must be asm, fresnel or fraunhofer/ },
  { name: "psf: --padding 1000", args: () => [...PSF, "--padding", "1000", "--phase", F("phase.npy"), "--out", "x.npy"], message: /--padding: must be at most 64/ },
  { name: "psf: --padding 0", args: () => [...PSF, "--padding", "0", "--phase", F("phase.npy"), "--out", "x.npy"], message: /--padding: must be at least 1/ },
  { name: "psf: padded grid over the memory budget", args: () => [...PSF, "--padding", "64", "--phase", F("phase512.npy"), "--out", "x.npy"], message: /--padding 64: the padded FFT grid \(32768 x 32768 samples.*GiB.*use --padding \d+ or less/ },
  { name: "psf: asm beyond its band limit suggests methods --method accepts", args: () => ["psf", "--phase", F("phase.npy"), "--wavelength-nm", "550", "--pitch-um", "2", "--distance-mm", "500", "--method", "asm", "--out", "x.npy"], message: /--method fresnel or --method fraunhofer/ },
  { name: "psf: --phase missing", args: () => [...PSF, "--phase", "nope.npy", "--out", "x.npy"], message: /nope\.npy: cannot read \.npy file/ },
  { name: "psf: --phase not a .npy", setup: (d) => writeFileSync(join(d, "text.npy"), "hello"), args: () => [...PSF, "--phase", "text.npy", "--out", "x.npy"], message: /text\.npy: not a \.npy file/ },
  { name: "psf: --phase not square", args: () => [...PSF, "--phase", F("rect.npy"), "--out", "x.npy"], message: /must have shape \[N, N\] or \[B, N, N\]/ },
  { name: "psf: --phase holds NaN", args: () => [...PSF, "--phase", F("nan.npy"), "--out", "x.npy"], message: /is NaN; all values must be finite/ },
  { name: "psf: --amplitude of another size", args: () => [...PSF, "--phase", F("phase.npy"), "--amplitude", F("rect.npy"), "--out", "x.npy"], message: /must have shape|--amplitude .* must be one 64x64 map/ },
  // validate-optics
  { name: "validate-optics: --out exists, no --force", setup: (d) => writeFileSync(join(d, "v.json"), "[]"), args: () => ["validate-optics", "--out", "v.json"], message: /--out v\.json already exists; pass --force/ },
  { name: "validate-optics: --out is a directory", setup: (d) => mkdirSync(join(d, "folder")), args: () => ["validate-optics", "--out", "folder"], message: /--out folder is a directory/ },
  { name: "validate-optics: --force over another JSON", setup: (d) => writeFileSync(join(d, "config.json"), '{"mine": true}'), args: () => ["validate-optics", "--out", "config.json", "--force"], message: /not a validate-optics JSON written by optocnn/ },
  // data
  { name: "data synthetic: --force on a folder that is not a data set", setup: (d) => { mkdirSync(join(d, "thesis")); writeFileSync(join(d, "thesis", "thesis.txt"), "years of work"); }, args: () => ["data", "synthetic", "--preset", "tiny", "--out", "thesis", "--force"], message: /thesis exists and holds files that are not an optocnn data result.*nothing was changed/ },
  { name: "data synthetic: --count 3 (empty splits)", args: () => ["data", "synthetic", "--preset", "tiny", "--count", "3", "--out", "ds"], message: /--count: must be at least 10/ },
  { name: "data synthetic: --size without x", args: () => ["data", "synthetic", "--size", "64", "--out", "ds"], message: /--size: must be HxW, e.g. 64x64/ },
  { name: "data synthetic: negative --seed", args: () => ["data", "synthetic", "--seed", "-1", "--out", "ds"], message: /--seed: / },
  { name: "data synthetic: unknown --preset", args: () => ["data", "synthetic", "--preset", "huge", "--out", "ds"], message: /--preset: the preset must be one of tiny, default, paper/ },
  { name: "data synthetic: --out is a file", args: () => ["data", "synthetic", "--preset", "tiny", "--out", F("phase.npy")], message: /phase\.npy: a part of this path is a file, not a directory/ },
  { name: "data nyu: --mat missing", args: () => ["data", "nyu", "--mat", "nyu.mat", "--out", "ds"], message: /--mat nyu\.mat: no such file/ },
  { name: "data nyu: all depths NaN", args: () => ["data", "nyu", "--mat", F("nan-depth.mat"), "--out", "ds", "--size", "4x4"], message: /no pixel of the 10 samples has a valid depth/ },
  { name: "data nyu: --force on a folder that is not a data set", setup: (d) => { mkdirSync(join(d, "thesis")); writeFileSync(join(d, "thesis", "thesis.txt"), "years of work"); }, args: () => ["data", "nyu", "--mat", F("nan-depth.mat"), "--out", "thesis", "--force"], message: /not an optocnn data result/ },
  { name: "data nyu: --val-fraction above 0.5", args: () => ["data", "nyu", "--mat", F("nan-depth.mat"), "--out", "ds", "--val-fraction", "0.9"], message: /--val-fraction: / },
  { name: "data info: damaged manifest.json", setup: (d) => { mkdirSync(join(d, "ds")); writeFileSync(join(d, "ds", "manifest.json"), '{"name": "x", '); }, args: () => ["data", "info", "ds"], message: /manifest\.json/ },
  // train
  { name: "train: no data set at --data", args: () => ["train", "--preset", "tiny", "--data", "nowhere", "--out", "r"], message: /--data nowhere: no depth data set there.*optocnn data synthetic/ },
  { name: "train: --steps 0", args: () => ["train", "--preset", "tiny", "--data", F("ds"), "--out", "r", "--steps", "0"], message: /--steps: must be a positive whole number/ },
  { name: "train: negative --lr", args: () => ["train", "--preset", "tiny", "--data", F("ds"), "--out", "r", "--lr", "-1"], message: /--lr: must be a positive learning rate/ },
  { name: "train: --batch-size 100000 fails the first step, leaves nothing", args: () => ["train", "--preset", "tiny", "--data", F("ds"), "--out", "r", "--batch-size", "100000"], message: /--batch-size 100000 exceeds the 16 training samples of --data .*ds; give --batch-size 16 or less/ },
  { name: "train: --lr 1e6 diverges, leaves nothing", args: () => ["train", "--preset", "tiny", "--data", F("ds"), "--out", "r", "--lr", "1e6", "--steps", "5"], message: /training diverged at step \d+ .*nothing was kept; train again with a lower --lr/ },
  { name: "train: --resume with a budget behind the run", setup: copyRun, args: () => ["train", "--preset", "tiny", "--data", F("ds"), "--out", "run", "--resume", "--steps", "1"], message: /run is at step 2, past the budget of 1 steps.*give --steps above 2/ },
  { name: "train: --resume with another --preset", setup: copyRun, args: () => ["train", "--preset", "default", "--data", F("ds"), "--out", "run", "--resume"], message: /--preset default cannot change on --resume: run is a "tiny" run/ },
  { name: "train: --resume with --lr", setup: copyRun, args: () => ["train", "--preset", "tiny", "--data", F("ds"), "--out", "run", "--resume", "--lr", "0.1"], message: /--lr cannot change on --resume/ },
  { name: "train: --resume with a damaged latest.json", setup: (d) => { copyRun(d); writeFileSync(join(d, "run", "checkpoints", "latest.json"), '{"checkpoint": "step-0'); }, args: () => ["train", "--preset", "tiny", "--data", F("ds"), "--out", "run", "--resume", "--steps", "3"], message: /latest\.json: the checkpoint pointer is not valid JSON.*delete it and rerun with --resume/ },
  { name: "train: --resume with a damaged state.json", setup: (d) => { copyRun(d); const ck = join(d, "run", "checkpoints", "step-00000002"); writeFileSync(join(ck, "state.json"), ""); }, args: () => ["train", "--preset", "tiny", "--data", F("ds"), "--out", "run", "--resume", "--steps", "3"], message: /state\.json: the checkpoint state is empty/ },
  { name: "train: --resume from a checkpoint with NaN weights", setup: (d) => { copyRun(d); const w = join(d, "run", "checkpoints", "step-00000002", "weights"); const file = readdirSync(w).find((f) => f.endsWith(".npy"))!; const bytes = readFileSync(join(w, file)); const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 128, bytes.byteOffset + bytes.length)); data.fill(NaN); writeFileSync(join(w, file), Buffer.concat([bytes.subarray(0, 128), Buffer.from(data.buffer)])); }, args: () => ["train", "--preset", "tiny", "--data", F("ds"), "--out", "run", "--resume", "--steps", "3"], message: /holds NaN or infinite values, so the checkpoint is damaged/ },
  { name: "train: damaged config.json", setup: (d) => { copyRun(d); writeFileSync(join(d, "run", "config.json"), '{"format": '); }, args: () => ["train", "--preset", "tiny", "--data", F("ds"), "--out", "run", "--resume", "--steps", "3"], message: /config\.json: the run configuration is not valid JSON/ },
  { name: "train: --out holds another run, no --force", setup: copyRun, args: () => ["train", "--preset", "tiny", "--data", F("ds"), "--out", "run", "--steps", "7"], message: /was made with other settings:.*budget\.steps: 2 -> 7.*Pass --force/s },
  { name: "train: --force on a folder that is not a run", setup: (d) => { mkdirSync(join(d, "thesis")); writeFileSync(join(d, "thesis", "thesis.txt"), "years of work"); }, args: () => ["train", "--preset", "tiny", "--data", F("ds"), "--out", "thesis", "--force"], message: /not an optocnn stage1 result/ },
  { name: "train: --resume where there is no run", setup: (d) => mkdirSync(join(d, "empty")), args: () => ["train", "--preset", "tiny", "--data", F("ds"), "--out", "empty", "--resume"], message: /nothing to resume \(no config\.json\)/ },
  { name: "train: image size not a multiple of the network's downsampling", args: () => ["train", "--preset", "tiny", "--data", F("ds30"), "--out", "r"], message: /inputHeight 30 must be a multiple of the total downsampling 8; resize the data/ },
  { name: "train: --init-from with --resume", args: () => ["train", "--preset", "tiny", "--data", F("ds"), "--out", "r", "--resume", "--init-from", F("run")], message: /--init-from: cannot be combined with --resume/ },
  // synthesize
  { name: "synthesize: optics that cannot form the kernel", args: () => ["synthesize", "--preset", "tiny", "--run", F("run"), "--data", F("ds"), "--out", "dko", "--cell-pitch-um", "0.01", "--distance-mm", "1000"], message: /cannot form the 7x7 kernels: the smallest spot .* is lambda z \/ D = .* wider than a whole kernel/ },
  { name: "synthesize: wavelengths in micrometres", args: () => ["synthesize", "--preset", "tiny", "--run", F("run"), "--data", F("ds"), "--out", "dko", "--wavelengths-nm", "0.64,0.55,0.46"], message: /--wavelengths-nm: each value is in nanometres \(200\.\.2000\).*got 0\.64, which looks like micrometres: give 640/ },
  { name: "synthesize: sensor pitch in metres", args: () => ["synthesize", "--preset", "tiny", "--run", F("run"), "--data", F("ds"), "--out", "dko", "--sensor-pitch-um", "1e-6"], message: /--sensor-pitch-um: is in micrometres \(0\.01\.\.100\), e\.g\. 2\.5; got 0\.000001$/m },
  { name: "synthesize: two wavelengths", args: () => ["synthesize", "--preset", "tiny", "--run", F("run"), "--data", F("ds"), "--out", "dko", "--wavelengths-nm", "640,550"], message: /--wavelengths-nm: must be 3 numbers in nanometres/ },
  { name: "synthesize: --run is not a run", args: () => ["synthesize", "--preset", "tiny", "--run", F("ds"), "--data", F("ds"), "--out", "dko"], message: /--run .*ds: not a stage-1 run directory \(no config\.json\)/ },
  { name: "synthesize: damaged stage-1 config.json", setup: (d) => { copyRun(d); writeFileSync(join(d, "run", "config.json"), "{"); }, args: () => ["synthesize", "--preset", "tiny", "--run", "run", "--data", F("ds"), "--out", "dko"], message: /config\.json: the run configuration is not valid JSON/ },
  { name: "synthesize: damaged nanopillar table", setup: (d) => writeFileSync(join(d, "lut.json"), '{"wavelengths_m": [1e-7,'), args: () => ["synthesize", "--preset", "tiny", "--run", F("run"), "--data", F("ds"), "--out", "dko", "--metasurface", "nanopillar", "--lut", "lut.json"], message: /lut\.json/ },
  { name: "synthesize: radius error in metres", args: () => ["synthesize", "--preset", "tiny", "--run", F("run"), "--data", F("ds"), "--out", "dko", "--metasurface", "nanopillar", "--fab-rms-nm", "5000"], message: /--fab-rms-nm: is in nanometres \(0\.\.1000\)/ },
  { name: "synthesize: negative --finetune-steps", args: () => ["synthesize", "--preset", "tiny", "--run", F("run"), "--data", F("ds"), "--out", "dko", "--finetune-steps", "-1"], message: /--finetune-steps: must be >= 0/ },
  // e2e
  { name: "e2e: unknown --variant", args: () => ["e2e", "--preset", "tiny", "--stage1", F("run"), "--data", F("ds"), "--out", "e2e", "--variant", "joint"], message: /--variant: must be optics-only, joint-scratch or joint-stage1/ },
  { name: "e2e: no data set at --data", args: () => ["e2e", "--preset", "tiny", "--stage1", F("run"), "--data", "nowhere", "--out", "e2e"], message: /--data nowhere: no depth data set there/ },
  { name: "e2e: --stage1 is not a run", args: () => ["e2e", "--preset", "tiny", "--stage1", F("ds"), "--data", F("ds"), "--out", "e2e"], message: /--stage1 .*ds: not a stage-1 run directory \(no config\.json\)/ },
  { name: "e2e: --force on a folder that is not a run", setup: (d) => { mkdirSync(join(d, "thesis")); writeFileSync(join(d, "thesis", "thesis.txt"), "years of work"); }, args: () => ["e2e", "--preset", "tiny", "--stage1", F("run"), "--data", F("ds"), "--out", "thesis", "--force"], message: /not an optocnn e2e result/ },
  // ntkd
  { name: "ntkd: --train-limit below one batch names the flag and the fix", args: () => ["ntkd", "--preset", "tiny", "--out", "n", "--train-limit", "10", "--no-figures"], message: /--train-limit 10 keeps fewer training images than one batch of 32 .*give --train-limit 32 or more/ },
  { name: "ntkd: unknown data set", args: () => ["ntkd", "--preset", "tiny", "--out", "n", "--datasets", "cifar10"], message: /--datasets: must be a comma-separated list of mnist, fashion-mnist/ },
  { name: "ntkd: seeds that are not numbers", args: () => ["ntkd", "--preset", "tiny", "--out", "n", "--seeds", "a,b"], message: /--seeds: must be a comma-separated list of whole numbers/ },
  { name: "ntkd: --force on a folder that is not an NTKD result", setup: (d) => { mkdirSync(join(d, "thesis")); writeFileSync(join(d, "thesis", "thesis.txt"), "years of work"); }, args: () => ["ntkd", "--preset", "tiny", "--out", "thesis", "--force", "--no-figures"], message: /not an optocnn ntkd result/ },
  // compare (it writes under the project's runs/: only cases refused before anything is made)
  { name: "compare: --budgets with a word", args: () => ["compare", "--preset", "tiny", "--budgets", "1,two"], message: /--budgets: must be a comma-separated list of budget factors/ },
  { name: "compare: unknown --preset", args: () => ["compare", "--preset", "huge"], message: /--preset: the preset must be one of tiny, default, paper/ },
];

before(async () => {
  mkdirSync(fixtures);
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  writeNpy(F("phase.npy"), { data: Float32Array.from({ length: 64 * 64 }, () => 6.28 * random()), shape: [64, 64] });
  writeNpy(F("phase512.npy"), { data: new Float32Array(512 * 512), shape: [512, 512] });
  writeNpy(F("rect.npy"), { data: new Float32Array(6), shape: [2, 3] });
  const nan = new Float32Array(16);
  nan[5] = NaN;
  writeFileSync(F("nan.npy"), encodeNpy({ data: nan, shape: [4, 4] }));
  await h5wasm.ready;
  // NYU layout (images [N, 3, W, H] uint8, depths [N, W, H] float) with every depth NaN.
  const file = new h5wasm.File(F("nan-depth.mat"), "w");
  file.create_dataset({ name: "images", data: new Uint8Array(10 * 3 * 8 * 8), shape: [10, 3, 8, 8], dtype: "<B" });
  file.create_dataset({ name: "depths", data: new Float32Array(10 * 8 * 8).fill(NaN), shape: [10, 8, 8], dtype: "<f" });
  file.close();
  const [data, data30] = await Promise.all([
    runCli(["data", "synthetic", "--preset", "tiny", "--count", "20", "--out", F("ds")], root),
    runCli(["data", "synthetic", "--preset", "tiny", "--count", "20", "--size", "30x30", "--out", F("ds30")], root),
  ]);
  assert.equal(data.code, 0, data.stderr);
  assert.equal(data30.code, 0, data30.stderr);
  const train = await runCli(["train", "--preset", "tiny", "--data", F("ds"), "--out", F("run"), "--steps", "2"], root);
  assert.equal(train.code, 0, train.stderr);
  // A checkpoint at the last step, as an interrupted or finished run has.
  assert.ok(readdirSync(join(F("run"), "checkpoints")).includes("step-00000002"));
});

test(`${CASES.length} kinds of bad input: exit 1, a message naming the flag or file and the fix, nothing written or changed`, { timeout: 600_000 }, async () => {
  assert.ok(CASES.length >= 40);
  const fixturesBefore = snapshot(fixtures);
  const failures: string[] = [];
  await inPool(CASES, 4, async (kind) => {
    const dir = join(root, `case-${CASES.indexOf(kind)}`);
    mkdirSync(dir);
    kind.setup?.(dir);
    const before = snapshot(dir);
    const result = await runCli(kind.args(dir), dir);
    const message = result.stderr.replace(/^optocnn: /, "");
    const problems = [
      result.code === 1 ? "" : `exit ${result.code}`,
      kind.message.test(message) ? "" : `message does not match ${kind.message}`,
      LEAKS.test(message) ? `message leaks internals (${LEAKS.exec(message)?.[0]})` : "",
      ...snapshotChanges(before, snapshot(dir)).map((c) => `changed ${c}`),
    ].filter(Boolean);
    if (problems.length) failures.push(`${kind.name}: ${problems.join("; ")}\n    stderr: ${result.stderr.trim().replace(/\n/g, "\n    ")}`);
  });
  assert.deepEqual(snapshotChanges(fixturesBefore, snapshot(fixtures)), [], "the shared fixtures changed");
  assert.deepEqual(failures, []);
});
