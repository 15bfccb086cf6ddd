// Loading a model by Hugging Face id from the local caches (src/model-source.ts): caches laid out
// the way huggingface_hub and transformers.js lay them out, built here from the embedded model's
// files (symbolic links, as huggingface_hub's snapshots are links into blobs/).
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR, TokClassError, TokenClassifier } from "../../src/index.js";
import { huggingFaceCacheDir, resolveModelSource, transformersJsCacheDirs } from "../../src/model-source.js";

const FILES = ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "model.onnx"];
const TEXT = "Angela Merkel met Emmanuel Macron in Paris on Tuesday.";
const MAIN = "a".repeat(40);
const V2 = "b".repeat(40);

let root: string;
let hub: string;
const savedEnv = { ...process.env };

/** A file of a snapshot: a relative link into the repository's blobs/, as huggingface_hub makes it. */
function snapshotFile(repo: string, commit: string, file: string, target: string): void {
  const blob = join(repo, "blobs", `${commit}-${file.replace(/\//g, "_")}`);
  mkdirSync(dirname(blob), { recursive: true });
  symlinkSync(target, blob);
  const path = join(repo, "snapshots", commit, file);
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(relative(dirname(path), blob), path);
}

function linkModel(dir: string, files = FILES): void {
  mkdirSync(dir, { recursive: true });
  for (const f of files) symlinkSync(join(DEFAULT_MODEL_DIR, f), join(dir, f));
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(TokClassError);
    return `${(error as TokClassError).code}: ${(error as Error).message}`;
  }
  return "resolved";
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "tokclass-cache-"));
  hub = join(root, "hub");
  // org/ner: "main" = the embedded model with onnx/model.onnx (as optimum exports it); tag "v2" =
  // the same weights with renamed labels, so that a result tells which revision was read.
  const repo = join(hub, "models--org--ner");
  for (const f of FILES) snapshotFile(repo, MAIN, f === "model.onnx" ? "onnx/model.onnx" : f, join(DEFAULT_MODEL_DIR, f));
  const renamedConfig = join(root, "config-v2.json");
  writeFileSync(renamedConfig, readFileSync(join(DEFAULT_MODEL_DIR, "config.json"), "utf8").replace(/-PER"/g, '-PERSON"'));
  for (const f of FILES) snapshotFile(repo, V2, f, f === "config.json" ? renamedConfig : join(DEFAULT_MODEL_DIR, f));
  // huggingface_hub writes refs/<revision> for any revision it resolved (a branch, a tag).
  mkdirSync(join(repo, "refs"), { recursive: true });
  writeFileSync(join(repo, "refs", "main"), MAIN);
  writeFileSync(join(repo, "refs", "v2"), V2);
  // org/partial: only config.json was downloaded.
  snapshotFile(join(hub, "models--org--partial"), MAIN, "config.json", join(DEFAULT_MODEL_DIR, "config.json"));
  mkdirSync(join(hub, "models--org--partial", "refs"));
  writeFileSync(join(hub, "models--org--partial", "refs", "main"), MAIN);
  // single: a cache copied without its refs, one snapshot; twins: two snapshots, no refs.
  for (const f of FILES) snapshotFile(join(hub, "models--single"), MAIN, f, join(DEFAULT_MODEL_DIR, f));
  for (const c of [MAIN, V2]) snapshotFile(join(hub, "models--org--twins"), c, "config.json", join(DEFAULT_MODEL_DIR, "config.json"));
  // A project using transformers.js, whose cache holds org/js-ner at main (<id>/) and at "v2"
  // (<id>/v2/: its FileCache keys a revision other than main so).
  const jsNer = join(root, "project", "node_modules", "@huggingface", "transformers", ".cache", "org", "js-ner");
  linkModel(jsNer);
  linkModel(join(jsNer, "v2"));
  mkdirSync(join(root, "project", "src"), { recursive: true });
  // A folder whose relative path looks like an id.
  linkModel(join(root, "project", "org", "ner"));
  process.env.HF_HUB_CACHE = hub;
});

afterAll(() => {
  process.env = savedEnv;
  rmSync(root, { recursive: true, force: true });
});

describe("model ids from huggingface_hub's cache", () => {
  it("loads org/name at main, onnx/model.onnx included, and answers as the same model from its folder", async () => {
    const byId = await TokenClassifier.load("org/ner", { parallelRuns: 1, intraOpThreads: 1 });
    const byFolder = await TokenClassifier.load(DEFAULT_MODEL_DIR, { parallelRuns: 1, intraOpThreads: 1 });
    try {
      expect(byId.info().modelId).toBe("org/ner");
      expect(byId.info().modelDir).toBe(join(hub, "models--org--ner", "snapshots", MAIN));
      expect(byFolder.info().modelId).toBeUndefined();
      const entities = await byId.classify(TEXT);
      expect(entities.map((e) => ("entity_group" in e ? e.entity_group : e.entity))).toContain("PER");
      expect(entities).toEqual(await byFolder.classify(TEXT));
    } finally {
      await byId.dispose();
      await byFolder.dispose();
    }
  });

  it("reads the revision asked for: a tag or a commit hash", async () => {
    for (const revision of ["v2", V2]) {
      const clf = await TokenClassifier.load("org/ner", { revision, parallelRuns: 1, intraOpThreads: 1 });
      try {
        expect(clf.info().modelDir).toBe(join(hub, "models--org--ner", "snapshots", V2));
        const groups = (await clf.classify(TEXT)).map((e) => ("entity_group" in e ? e.entity_group : e.entity));
        expect(groups).toContain("PERSON");
        expect(groups).not.toContain("PER");
      } finally {
        await clf.dispose();
      }
    }
  });

  it("a revision that is not cached, or files not downloaded, are ERR_MODEL_NOT_FOUND that say so", async () => {
    const missing = await code(TokenClassifier.load("org/ner", { revision: "v3" }));
    expect(missing).toMatch(/^ERR_MODEL_NOT_FOUND: org\/ner is in the Hugging Face cache .* not at revision "v3" \(refs there: main, v2\)/);
    expect(await code(TokenClassifier.load("org/partial"))).toMatch(
      /^ERR_MODEL_NOT_FOUND: No model\.onnx in .*models--org--partial.*org\/partial from the huggingface_hub cache, which holds only the files downloaded/,
    );
    expect(await code(TokenClassifier.load("org/twins"))).toMatch(/not at revision "main".*snapshots: (a{40}, b{40}|b{40}, a{40})/);
    const absent = await code(TokenClassifier.load("nobody/nothing"));
    expect(absent).toMatch(/^ERR_MODEL_NOT_FOUND: No folder .*nobody\/nothing, and no model nobody\/nothing in .*hub \(huggingface_hub\)/);
    expect(absent).toMatch(/never downloads/);
  });

  it("a cache copied without refs: its only snapshot, whether main is asked for or implied", async () => {
    const only = { dir: join(hub, "models--single", "snapshots", MAIN), hubId: "single", cache: "huggingface_hub" };
    expect(resolveModelSource("single", undefined)).toEqual(only);
    // "main" is the default revision: asking for it must not differ from not asking.
    expect(resolveModelSource("single", "main")).toEqual(only);
  });

  it("a snapshot file whose blob is gone is a broken download, not a file left out", async () => {
    // huggingface_hub's snapshots are links into blobs/: a pruned or interrupted blob left the
    // link dangling, and an optional file (the card, tokenizer_config.json) was read as absent.
    const repo = join(hub, "models--org--pruned");
    for (const f of FILES) snapshotFile(repo, MAIN, f, join(DEFAULT_MODEL_DIR, f));
    const card = join(root, "card.md");
    writeFileSync(card, "---\ninference:\n  parameters:\n    aggregation_strategy: none\n---\n");
    snapshotFile(repo, MAIN, "README.md", card);
    mkdirSync(join(repo, "refs"), { recursive: true });
    writeFileSync(join(repo, "refs", "main"), MAIN);
    for (const file of ["README.md", "tokenizer_config.json", "model.onnx"]) {
      const blob = join(repo, "blobs", `${MAIN}-${file}`);
      const target = readlinkSync(blob);
      rmSync(blob);
      expect(await code(TokenClassifier.load("org/pruned")), file).toMatch(
        new RegExp(`^ERR_MODEL_NOT_FOUND: .*snapshots/${MAIN}/${file.replace(".", "\\.")} is a link to .*, which is missing`),
      );
      symlinkSync(target, blob);
    }
    const whole = await TokenClassifier.load("org/pruned", { parallelRuns: 1, intraOpThreads: 1 });
    await whole.dispose();
  });

  it("a refs file that holds no commit hash is refused, naming it, not followed", () => {
    const repo = join(hub, "models--org--badref");
    snapshotFile(repo, MAIN, "config.json", join(DEFAULT_MODEL_DIR, "config.json"));
    mkdirSync(join(repo, "refs"), { recursive: true });
    // Empty, it named the snapshots folder itself; "../.." led into another repository.
    for (const content of ["", `../../models--org--ner/snapshots/${V2}`, "main\n"]) {
      writeFileSync(join(repo, "refs", "main"), content);
      expect(() => resolveModelSource("org/badref", undefined), JSON.stringify(content)).toThrow(
        new RegExp(`^The Hugging Face cache's ref ${join(repo, "refs", "main").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} does not hold a commit hash`),
      );
    }
    writeFileSync(join(repo, "refs", "main"), `${MAIN}\r\n`); // huggingface_hub's own, with a line end: fine
    expect(resolveModelSource("org/badref", undefined).dir).toBe(join(repo, "snapshots", MAIN));
  });

  it("revision is refused where it cannot apply, and must look like a revision", async () => {
    expect(await code(TokenClassifier.load(undefined, { revision: "main" }))).toMatch(/^ERR_INVALID_ARGUMENT: .*embedded model/);
    expect(await code(TokenClassifier.load(DEFAULT_MODEL_DIR, { revision: "main" }))).toMatch(/^ERR_INVALID_ARGUMENT: .*is a path on disk/);
    expect(await code(TokenClassifier.load("org/ner", { revision: "../../etc" }))).toMatch(/^ERR_INVALID_ARGUMENT: options\.revision/);
    expect(await code(TokenClassifier.load("org/ner", { revision: "" }))).toMatch(/^ERR_INVALID_ARGUMENT: .*options\.revision/);
    expect(await code(TokenClassifier.load("org/ner", { revision: 7 as unknown as string }))).toMatch(/^ERR_INVALID_ARGUMENT: .*options\.revision/);
    expect(await code(TokenClassifier.load("./not/here", { revision: "main" }))).toMatch(/^ERR_INVALID_ARGUMENT: .*not one/);
  });

  it("huggingface_hub's environment variables, in its order", () => {
    expect(huggingFaceCacheDir({ HF_HUB_CACHE: "/a", HUGGINGFACE_HUB_CACHE: "/b", HF_HOME: "/c", XDG_CACHE_HOME: "/d" })).toBe("/a");
    expect(huggingFaceCacheDir({ HUGGINGFACE_HUB_CACHE: "/b", HF_HOME: "/c", XDG_CACHE_HOME: "/d" })).toBe("/b");
    expect(huggingFaceCacheDir({ HF_HOME: "/c", XDG_CACHE_HOME: "/d" })).toBe("/c/hub");
    expect(huggingFaceCacheDir({ XDG_CACHE_HOME: "/d" })).toBe("/d/huggingface/hub");
    expect(huggingFaceCacheDir({})).toBe(join(homedir(), ".cache", "huggingface", "hub"));
    expect(huggingFaceCacheDir({ HF_HOME: "~/hf" })).toBe(join(homedir(), "hf", "hub"));
  });
});

describe("model ids from transformers.js's cache, and folders", () => {
  it("finds the cache in node_modules from the working directory upwards", () => {
    const cwd = join(root, "project", "src");
    const cache = join(root, "project", "node_modules", "@huggingface", "transformers", ".cache");
    expect(transformersJsCacheDirs(cwd)).toContain(cache);
    expect(resolveModelSource("org/js-ner", undefined, { HF_HUB_CACHE: join(root, "empty") }, cwd)).toEqual({
      dir: join(cache, "org", "js-ner"),
      hubId: "org/js-ner",
      cache: "transformers.js",
    });
    const empty = { HF_HUB_CACHE: join(root, "empty") };
    expect(resolveModelSource("org/js-ner", "main", empty, cwd).dir).toBe(join(cache, "org", "js-ner"));
    expect(resolveModelSource("org/js-ner", "v2", empty, cwd).dir).toBe(join(cache, "org", "js-ner", "v2"));
    expect(() => resolveModelSource("org/js-ner", "v3", empty, cwd)).toThrow(
      /no model org\/js-ner at revision "v3" in .*\(huggingface_hub\) or .*\(transformers\.js\)/,
    );
    // A subfolder of the main files is no revision.
    mkdirSync(join(cache, "org", "js-ner", "onnx"), { recursive: true });
    expect(() => resolveModelSource("org/js-ner", "onnx", empty, cwd)).toThrow(/no model org\/js-ner at revision "onnx"/);
  });

  it("an id huggingface_hub's cache holds, but not at the revision asked for, is looked for in transformers.js's", () => {
    const cwd = join(root, "project", "src");
    const cache = join(root, "project", "node_modules", "@huggingface", "transformers", ".cache");
    const both = join(root, "both-hub");
    const repo = join(both, "models--org--js-ner");
    snapshotFile(repo, MAIN, "config.json", join(DEFAULT_MODEL_DIR, "config.json"));
    mkdirSync(join(repo, "refs"), { recursive: true });
    writeFileSync(join(repo, "refs", "main"), MAIN);
    // v2 is only in transformers.js's cache: found there, where the lookup stopped before.
    expect(resolveModelSource("org/js-ner", "v2", { HF_HUB_CACHE: both }, cwd)).toEqual({
      dir: join(cache, "org", "js-ner", "v2"),
      hubId: "org/js-ner",
      cache: "transformers.js",
    });
    // In neither: huggingface_hub's own message, and transformers.js's cache named too.
    expect(() => resolveModelSource("org/js-ner", "v9", { HF_HUB_CACHE: both }, cwd)).toThrow(
      /is in the Hugging Face cache .* but not at revision "v9" \(refs there: main\).*; nor is it there in .*\(transformers\.js\)/,
    );
  });

  it("an existing folder wins over an id of the same spelling; other strings are plain missing folders", () => {
    const cwd = join(root, "project");
    expect(resolveModelSource("org/ner", undefined, { HF_HUB_CACHE: hub }, cwd)).toEqual({ dir: join(cwd, "org", "ner") });
    expect(() => resolveModelSource("./org/nope", undefined, { HF_HUB_CACHE: hub }, cwd)).toThrow(/^Model folder not found: .*org\/nope$/);
    expect(() => resolveModelSource("a/b/c", undefined, { HF_HUB_CACHE: hub }, cwd)).toThrow(/^Model folder not found/);
    expect(() => resolveModelSource("org/ner/config.json", undefined, { HF_HUB_CACHE: hub }, cwd)).toThrow(/is a file, not a folder/);
  });
});
