import { accessSync, constants, existsSync, realpathSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describeSystemError } from "./errors.js";

export interface OutputFileRequest {
  /** The option as typed, e.g. "--out". */
  flag: string;
  path: string;
  /** Input files of the same command: the output may never be one of them. */
  inputs: { flag: string; path: string | undefined }[];
  force?: boolean;
  /** What the command writes, for messages ("PSF .npy"). */
  what: string;
  /** Whether an existing file is this command's own output (the only kind --force may replace). */
  isOwnOutput: (path: string) => boolean;
}

function canonical(path: string): string {
  const absolute = resolve(path);
  return existsSync(absolute) ? realpathSync(absolute) : absolute;
}

/**
 * Checks a single output file before any work is done: never an input, never a directory, its folder
 * writable; an existing file is replaced only with --force and only when it is recognisably this
 * command's own output. Throws a message naming the flag and the fix; writes nothing.
 */
export function checkOutputFile(request: OutputFileRequest): void {
  const { flag, path } = request;
  const target = canonical(path);
  for (const input of request.inputs) {
    if (input.path !== undefined && canonical(input.path) === target) {
      throw new Error(`${flag} ${path} is also the input ${input.flag}; writing it would destroy the input. Choose another ${flag} (nothing was written)`);
    }
  }
  if (existsSync(target)) {
    if (statSync(target).isDirectory()) throw new Error(`${flag} ${path} is a directory; give a file path, e.g. ${flag} ${path.replace(/\/$/, "")}/out.npy (nothing was written)`);
    if (!request.force) throw new Error(`${flag} ${path} already exists; pass --force to replace it, or choose another ${flag} (nothing was written)`);
    if (!request.isOwnOutput(target)) {
      throw new Error(`${flag} ${path} is not a ${request.what} written by optocnn; --force only replaces optocnn's own output. Choose another ${flag} (nothing was written)`);
    }
  }
  // The nearest existing folder must be a folder we can write in (missing folders are created).
  let folder = dirname(target);
  while (!existsSync(folder)) folder = dirname(folder);
  if (!statSync(folder).isDirectory()) throw new Error(`${flag} ${path}: ${folder} is a file, not a folder; choose a path whose folders are folders (nothing was written)`);
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw new Error(`${flag} ${path}: ${describeSystemError(error as Error, folder) ?? `cannot write in ${folder}`} (nothing was written)`);
  }
}

/** Runs a write, turning an operating-system failure into a message naming the flag. */
export function writeOutput<T>(flag: string, path: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    const described = describeSystemError(error as Error, path);
    throw described ? new Error(`${flag} ${described}`) : error;
  }
}
