import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { inspectArtifact } from "./provenance.js";

/**
 * What to do when an artifact directory holds results made with other settings: notebooks recompute
 * (saying what differs), the CLI refuses unless the user passed --force.
 */
export type MismatchPolicy = "recompute" | "refuse";

export interface ArtifactRequest {
  dir: string;
  /** Stage name recorded in the provenance ("data", "stage1", "dko", ...). */
  stage: string;
  settings: unknown;
  policy: MismatchPolicy;
  /** Files whose presence marks the directory as this stage's own output (safe to replace). */
  markers: readonly string[];
  /** The file whose presence marks the stage as finished (a resumable stage may hold an unfinished run with matching settings). */
  finishedFile: string;
  log?: (line: string) => void;
}

/** "reuse": finished with these settings; "resume": unfinished with these settings; "create": start afresh. */
export type ArtifactAction = "reuse" | "resume" | "create";

/**
 * Decides whether an artifact can be reused, resumed or must be (re)made, removing a stale one only when
 * the policy allows it and the directory is recognisably this stage's output. Never deletes a directory
 * it did not make.
 */
export function prepareArtifact(request: ArtifactRequest): ArtifactAction {
  const { dir, stage, markers, log = () => {} } = request;
  const state = inspectArtifact(dir, stage, request.settings);
  if (state.kind === "missing") return "create";
  if (state.kind === "matching") return existsSync(join(dir, request.finishedFile)) ? "reuse" : "resume";
  const ownOutput = markers.some((m) => existsSync(join(dir, m)));
  if (state.kind === "unrecorded" && readdirSync(dir).length === 0) return "create";
  if (!ownOutput && state.kind === "unrecorded") {
    throw new Error(`${dir} exists and holds files that are not an optocnn ${stage} result; choose another directory (nothing was changed)`);
  }
  const why =
    state.kind === "different"
      ? `was made with other settings:\n  ${state.differences.join("\n  ")}`
      : "has no provenance record (made by an older optocnn), so its settings cannot be checked";
  if (request.policy === "refuse") {
    throw new Error(`${dir} ${why}\nPass --force to replace it, or choose another output directory (nothing was changed)`);
  }
  log(`${dir} ${why}\nrecomputing it`);
  rmSync(dir, { recursive: true, force: true });
  return "create";
}

/**
 * Runs the work that fills a newly created artifact directory; if it fails before leaving anything
 * resumable (`hasProgress`, e.g. a checkpoint), the directory is put back as it was before (absent or
 * empty), so a corrected rerun is not refused and a resume does not repeat the failure.
 */
export async function rollBackOnFailure<T>(dir: string, action: ArtifactAction, hasProgress: (dir: string) => boolean, work: () => Promise<T>): Promise<T> {
  const existedEmpty = action === "create" && existsSync(dir);
  try {
    return await work();
  } catch (error) {
    if (action === "create" && !hasProgress(dir)) {
      rmSync(dir, { recursive: true, force: true });
      if (existedEmpty) mkdirSync(dir);
    }
    throw error;
  }
}
