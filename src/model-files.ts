/**
 * Whether a model file is there. A symbolic link to nothing is not "absent": huggingface_hub's
 * snapshots are links into blobs/, and a blob deleted (a pruned cache) or never finished (an
 * interrupted download) left an optional file (tokenizer_config.json, the model card) silently
 * ignored, which changed results, and a required one reported as not downloaded.
 */
import { existsSync, readlinkSync } from "node:fs";
import { TokClassError } from "./errors.js";

export function modelFileExists(path: string): boolean {
  if (existsSync(path)) return true;
  let target: string;
  try {
    target = readlinkSync(path);
  } catch {
    return false; // no link either: simply not there
  }
  throw new TokClassError(
    "ERR_MODEL_NOT_FOUND",
    `${path} is a link to ${target}, which is missing (a download interrupted, or a cache pruned): fetch the model again`,
  );
}
