/**
 * What a model argument names: a folder, or a Hugging Face model id ("dslim/bert-base-NER")
 * already on this machine in one of the caches that other tools fill — huggingface_hub's
 * (Python: `huggingface-cli download`, `from_pretrained`) or transformers.js's. tokclass reads
 * models from disk and never downloads: an id that is in neither cache is an error that says
 * where it looked.
 *
 * huggingface_hub's layout (documented in its "Manage the cache" guide):
 *   <cache>/models--<org>--<name>/refs/<revision>        the commit hash a branch or tag points to
 *   <cache>/models--<org>--<name>/snapshots/<hash>/...   the repository's files at that commit
 *                                                        (links into ../../blobs/)
 * with <cache> = $HF_HUB_CACHE, else $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub, else
 * $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. transformers.js (Node) keeps
 * the files it fetched under <its package folder>/.cache/<org>/<name>/ (revision "main") or
 * <org>/<name>/<revision>/ (any other; its FileCache keys, dist/transformers.node.mjs
 * buildResourcePaths), found here from the working directory's node_modules upwards.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { TokClassError } from "./errors.js";

/** Repository ids as the Hub allows them: [org/]name of letters, digits, "-", "_" and ".". */
const HUB_ID = /^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/)?[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;
/** A branch, tag ("v1.0") or "refs/pr/N"; a commit hash is 40 hex digits. */
const REVISION = /^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;
const COMMIT = /^[0-9a-f]{40}$/;

export interface ModelSource {
  /** The folder to read. */
  dir: string;
  /** Set when the argument was a model id found in a cache. */
  hubId?: string;
  cache?: "huggingface_hub" | "transformers.js";
}

type Env = Record<string, string | undefined>;

/** A path from the environment, "~" expanded as huggingface_hub expands it (os.path.expanduser). */
function envPath(value: string): string {
  return resolve(value === "~" || value.startsWith("~/") ? homedir() + value.slice(1) : value);
}

/** huggingface_hub's cache folder, by its own precedence of environment variables. */
export function huggingFaceCacheDir(env: Env = process.env): string {
  if (env.HF_HUB_CACHE) return envPath(env.HF_HUB_CACHE);
  if (env.HUGGINGFACE_HUB_CACHE) return envPath(env.HUGGINGFACE_HUB_CACHE);
  if (env.HF_HOME) return join(envPath(env.HF_HOME), "hub");
  return join(env.XDG_CACHE_HOME ? envPath(env.XDG_CACHE_HOME) : join(homedir(), ".cache"), "huggingface", "hub");
}

/** The transformers.js caches visible from `cwd`: each node_modules on the way up. */
export function transformersJsCacheDirs(cwd: string = process.cwd()): string[] {
  const dirs: string[] = [];
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const cache = join(dir, "node_modules", "@huggingface", "transformers", ".cache");
    if (existsSync(cache)) dirs.push(cache);
    if (dirname(dir) === dir) return dirs;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function notFound(message: string): TokClassError {
  return new TokClassError("ERR_MODEL_NOT_FOUND", message);
}

/**
 * The snapshot folder of `id` at `revision` in huggingface_hub's cache; undefined if the
 * repository is not there, or `missing` (the error to give if no other cache has it) when the
 * repository is there but not at that revision.
 */
function fromHuggingFaceCache(id: string, revision: string | undefined, cache: string): { dir: string } | { missing: TokClassError } | undefined {
  const repo = join(cache, `models--${id.replace("/", "--")}`);
  if (!isDirectory(repo)) return undefined;
  const snapshots = join(repo, "snapshots");
  const available = isDirectory(snapshots) ? readdirSync(snapshots).filter((d) => isDirectory(join(snapshots, d))) : [];
  const wanted = revision ?? "main";
  const ref = join(repo, "refs", wanted);
  let commit: string | undefined;
  if (existsSync(ref) && !isDirectory(ref)) {
    commit = readFileSync(ref, "utf8").trim();
    // A refs file holds a commit hash and nothing else: anything more would name another folder
    // (an empty one, the snapshots folder itself; "../..", another repository's snapshot).
    if (!COMMIT.test(commit)) {
      throw new TokClassError("ERR_MODEL_INVALID", `The Hugging Face cache's ref ${ref} does not hold a commit hash (40 hex digits): ${JSON.stringify(commit.slice(0, 60))}`);
    }
  } else if (COMMIT.test(wanted)) {
    commit = wanted;
  } else if (wanted === "main" && available.length === 1) {
    commit = available[0]; // no refs kept (a copied cache): its only snapshot, as with no revision given
  }
  if (commit === undefined) {
    const refs = listRefs(join(repo, "refs"));
    return {
      missing: notFound(
        `${id} is in the Hugging Face cache (${repo}) but not at revision "${wanted}"` +
          (refs.length ? ` (refs there: ${refs.join(", ")})` : "") +
          (available.length ? `; snapshots: ${available.join(", ")}` : "; it holds no snapshot"),
      ),
    };
  }
  const dir = join(snapshots, commit);
  if (!isDirectory(dir)) {
    throw notFound(`${id} at revision "${wanted}" points to commit ${commit}, whose snapshot is not in the Hugging Face cache (${snapshots})`);
  }
  return { dir };
}

function listRefs(dir: string, prefix = ""): string[] {
  if (!isDirectory(dir)) return [];
  return readdirSync(dir).flatMap((name) =>
    isDirectory(join(dir, name)) ? listRefs(join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`],
  );
}

/**
 * Resolves a model argument. An existing path always wins, so a folder named like an id is
 * read as the folder; otherwise a string shaped like a Hub id is looked up in huggingface_hub's
 * cache, then in transformers.js's.
 */
export function resolveModelSource(
  model: string,
  revision: string | undefined,
  env: Env = process.env,
  cwd: string = process.cwd(),
): ModelSource {
  const path = resolve(cwd, model);
  // Segments "." and ".." would step out of refs/ (a revision names a file under it).
  if (revision !== undefined && (!REVISION.test(revision) || revision.split("/").some((part) => part === "." || part === ".."))) {
    throw new TokClassError("ERR_INVALID_ARGUMENT", `options.revision must be a branch, tag or commit hash, received ${JSON.stringify(revision)}`);
  }
  if (existsSync(path)) {
    if (revision !== undefined) {
      throw new TokClassError(
        "ERR_INVALID_ARGUMENT",
        `options.revision applies to a model id looked up in the Hugging Face cache; ${path} is a path on disk`,
      );
    }
    if (!isDirectory(path)) throw notFound(`Model folder not found: ${path} is a file, not a folder`);
    return { dir: path };
  }
  if (!HUB_ID.test(model) || model.includes("..") || model.includes("--")) {
    if (revision !== undefined) {
      throw new TokClassError("ERR_INVALID_ARGUMENT", `options.revision applies to a model id (org/name); ${JSON.stringify(model)} is not one`);
    }
    throw notFound(`Model folder not found: ${path}`);
  }
  const hfCache = huggingFaceCacheDir(env);
  const fromHub = fromHuggingFaceCache(model, revision, hfCache);
  if (fromHub !== undefined && "dir" in fromHub) return { dir: fromHub.dir, hubId: model, cache: "huggingface_hub" };
  // Not in huggingface_hub's cache, or not at this revision there: transformers.js's may have it.
  const jsCaches = transformersJsCacheDirs(cwd);
  const jsRevision = revision === undefined || revision === "main" ? [] : revision.split("/");
  for (const cache of jsCaches) {
    const dir = join(cache, ...model.split("/"), ...jsRevision);
    // A revision's folder holds the model's files; the main files' own subfolders ("onnx") are
    // no revision.
    if (isDirectory(dir) && (jsRevision.length === 0 || existsSync(join(dir, "config.json")))) {
      return { dir, hubId: model, cache: "transformers.js" };
    }
  }
  if (fromHub !== undefined) {
    const also = jsCaches.length ? `; nor is it there in ${jsCaches.map((c) => `${c} (transformers.js)`).join(" or ")}` : "";
    throw notFound(`${fromHub.missing.message}${also}`);
  }
  const looked = [`${hfCache} (huggingface_hub)`, ...jsCaches.map((c) => `${c} (transformers.js)`)];
  throw notFound(
    `No folder ${path}, and no model ${model}${revision === undefined ? "" : ` at revision "${revision}"`} in ${looked.join(" or ")}. ` +
      `tokclass reads models from disk and never downloads: fetch it first (e.g. huggingface-cli download ${model}), or pass a folder`,
  );
}
