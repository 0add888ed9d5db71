import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeJsonAtomic } from "../io/atomic.js";

/**
 * Every artifact the pipeline makes (a data set, a stage-1 run, a DKO result) records the settings that
 * made it, and their hash, in `provenance.json`. A later run reuses the artifact only when the hash of
 * the settings it asks for matches; otherwise it can say which settings differ.
 */
export const PROVENANCE_FILE = "provenance.json";
const PROVENANCE_FORMAT = "optocnn-provenance/1";

const ProvenanceSchema = z.object({
  format: z.literal(PROVENANCE_FORMAT),
  stage: z.string(),
  hash: z.string(),
  settings: z.unknown(),
  createdAt: z.string(),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

/** JSON with object keys sorted at every level, so equal settings always serialise alike. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

/** First 16 hex digits of the SHA-256 of the canonical JSON (undefined fields dropped). */
export function settingsHash(settings: unknown): string {
  return createHash("sha256").update(canonicalJson(JSON.parse(JSON.stringify(settings)))).digest("hex").slice(0, 16);
}

export function readProvenance(dir: string): Provenance | null {
  const path = join(dir, PROVENANCE_FILE);
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); delete the artifact directory ${dir} to recompute it`);
  }
  const parsed = ProvenanceSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path} is not an optocnn provenance record (${parsed.error.issues[0].path.join(".")}: ${parsed.error.issues[0].message}); delete ${dir} to recompute it`);
  return parsed.data;
}

export function writeProvenance(dir: string, stage: string, settings: unknown): Provenance {
  const record: Provenance = { format: PROVENANCE_FORMAT, stage, hash: settingsHash(settings), settings: JSON.parse(JSON.stringify(settings)), createdAt: new Date().toISOString() };
  writeJsonAtomic(join(dir, PROVENANCE_FILE), record);
  return record;
}

/** "path: old -> new" for every leaf that differs between two settings objects. */
export function settingsDifferences(stored: unknown, requested: unknown, path = ""): string[] {
  const show = (v: unknown) => (v === undefined ? "(unset)" : JSON.stringify(v));
  const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
  if (isObject(stored) && isObject(requested)) {
    const keys = [...new Set([...Object.keys(stored), ...Object.keys(requested)])].sort();
    return keys.flatMap((k) => settingsDifferences(stored[k], requested[k], path ? `${path}.${k}` : k));
  }
  return canonicalJson(stored) === canonicalJson(requested) ? [] : [`${path || "(settings)"}: ${show(stored)} -> ${show(requested)}`];
}

/** What a directory holds with respect to the settings asked for. */
export type ArtifactState =
  | { kind: "missing" }
  | { kind: "matching"; provenance: Provenance }
  | { kind: "different"; provenance: Provenance; differences: string[] }
  /** The directory exists but has no provenance record: not made by this pipeline (or by an older optocnn). */
  | { kind: "unrecorded" };

export function inspectArtifact(dir: string, stage: string, settings: unknown): ArtifactState {
  if (!existsSync(dir)) return { kind: "missing" };
  const provenance = readProvenance(dir);
  if (!provenance) return { kind: "unrecorded" };
  if (provenance.stage !== stage) return { kind: "different", provenance, differences: [`stage: "${provenance.stage}" -> "${stage}"`] };
  if (provenance.hash === settingsHash(settings)) return { kind: "matching", provenance };
  const differences = settingsDifferences(provenance.settings, JSON.parse(JSON.stringify(settings)));
  return { kind: "different", provenance, differences: differences.length ? differences : ["(settings hash differs)"] };
}
