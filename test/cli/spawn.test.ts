// The built executable: dist/cli/main.js, built here by npm run build:ts.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { TokenClassifier } from "../../src/index.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(root, "dist", "cli", "main.js");
const addonBuilt = existsSync(join(root, "build", "Release", "tokclass.node"));
if (!addonBuilt) console.warn("test/cli/spawn: native addon not built (npm run build); skipping the classification runs");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], stdin?: string | Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

/** The URL a `serve` child prints once it listens (rejects if it exits first). */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

beforeAll(() => {
  // The package's own build step, from a file that is not executable (as tsc leaves it in a
  // fresh clone), so that the test below sees what the build does, not what an earlier one did.
  if (existsSync(MAIN)) chmodSync(MAIN, 0o644);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const build = spawnSync(npm, ["run", "--silent", "build:ts"], { cwd: root, encoding: "utf8" });
  if (build.status !== 0 || !existsSync(MAIN)) throw new Error(`npm run build:ts failed: ${build.stdout}${build.stderr}`);
});

describe("the built executable", () => {
  it("runs by itself, as npx and a PATH lookup run it (shebang, executable bit)", () => {
    expect(statSync(MAIN).mode & 0o111).not.toBe(0);
    const help = spawnSync(MAIN, ["--help"], { cwd: root, encoding: "utf8" });
    expect(help.error).toBeUndefined();
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: tokclass");
  });
});

describe("tokclass without a model", () => {
  it("--help and serve --help exit 0", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: tokclass");
    expect(help.stdout).toContain("Exit codes");
    const serve = await run(["serve", "--help"]);
    expect(serve.code).toBe(0);
    expect(serve.stdout).toContain("POST /models/<id>");
  });

  it("usage errors exit 2 with a message on stderr", async () => {
    for (const args of [["--bogus"], ["--strategy", "median", "text"], ["--offsets", "bytes", "x"], ["serve", "--port", "x"], ["serve", "--model", "nodir="], ["serve", "--model", "id with space"]]) {
      const r = await run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^tokclass: /);
    }
  });

  it("serve: listens, answers /health, exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, [MAIN, "serve", "--port", "0", "--lazy", "--log-level", "silent", "--token", "t0k"], { cwd: root });
    const url = await listeningUrl(child);
    expect((await fetch(`${url}/health`)).status).toBe(401);
    const health = await fetch(`${url}/health`, { headers: { authorization: "Bearer t0k" } });
    expect(await health.json()).toMatchObject({ status: "ok", models: [{ id: "default", state: "idle" }] });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});

describe.skipIf(!addonBuilt)("tokclass with the embedded model", () => {
  let clf: TokenClassifier;
  beforeAll(async () => {
    const { TokenClassifier } = await import("../../src/index.js");
    clf = await TokenClassifier.load();
  });
  afterAll(async () => {
    await clf?.dispose();
  });

  const SEED = "My name is Sarah Jessica Parker but you can call me Jessica";

  it('tokclass "text" prints the entities as JSON', async () => {
    const r = await run([SEED]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(await clf.classify(SEED));
    const cp = await run(["--offsets", "codepoint", "--strategy", "first", "🗽 Paris and Berlin"]);
    expect(JSON.parse(cp.stdout)).toEqual(await clf.classify("🗽 Paris and Berlin", { offsets: "codepoint", aggregationStrategy: "first" }));
  });

  it("--stride windows the first window's length as the pipeline does; --full-text the whole text; over --max-window-tokens exits 1", async () => {
    const long = "Angela Merkel met Emmanuel Macron in Paris. ".repeat(120); // ~1,300 tokens
    const first = await run(["--stride", "64", long]);
    const full = await run(["--stride", "64", "--full-text", long]);
    expect(first.code, first.stderr).toBe(0);
    expect(full.code, full.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual(await clf.classify(long, { stride: 64 }));
    const whole = await clf.classify(long, { stride: 64, fullText: true });
    expect(JSON.parse(full.stdout)).toEqual(whole);
    expect(whole.length).toBeGreaterThan((JSON.parse(first.stdout) as unknown[]).length);
    // A text over the limit is bad input (exit 3) named by where it came from; the texts
    // before it are written, as before a bad line.
    const limited = await run(["--stride", "64", "--full-text", "--max-window-tokens", "1000", "Paris", long, "Berlin"]);
    expect(limited.code).toBe(3);
    // Named by the flag that set the limit, not the library's option.
    expect(limited.stderr).toMatch(/^tokclass: argument 2: text needs \d+ windows .*--max-window-tokens \(1000\)/);
    expect(limited.stderr).not.toMatch(/maxWindowTokens/);
    expect(limited.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as unknown)).toEqual([await clf.classify("Paris")]);
    const lines = ["Angela Merkel", "", long, "Berlin", "Rome"].join("\n");
    const piped = await run(["--stride", "64", "--full-text", "--max-window-tokens", "1000", "-"], lines);
    expect(piped.code).toBe(3);
    expect(piped.stderr).toMatch(/^tokclass: line 3: text needs \d+ windows/);
    expect(piped.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as unknown)).toEqual([await clf.classify("Angela Merkel"), []]);
    // One line per call: the calls queued behind the refused one are not written either.
    const single = await run(["--stride", "64", "--full-text", "--max-window-tokens", "1000", "--batch-size", "1", "-"], lines);
    expect(single.code).toBe(3);
    expect(single.stderr).toMatch(/^tokclass: line 3: text needs/);
    expect(single.stdout).toBe(piped.stdout);
  });

  it("reads JSONL and plain lines from stdin, one output line each", async () => {
    const texts = [SEED, "Angela Merkel visited Paris.", "", "no entities", 'He said "Berlin".'];
    const lines = [JSON.stringify({ inputs: texts[0] }), JSON.stringify({ text: texts[1] }), "", JSON.stringify(texts[3]), texts[4]];
    const r = await run(["-", "--batch-size", "2", "--ignore-labels", "O,MISC"], lines.join("\n") + "\n");
    expect(r.code).toBe(0);
    const out = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as unknown);
    expect(out.length).toBe(texts.length);
    for (let i = 0; i < texts.length; i++) {
      expect(out[i]).toEqual(texts[i] ? await clf.classify(texts[i]!, { ignoreLabels: ["O", "MISC"] }) : []);
    }
    const dir = mkdtempSync(join(tmpdir(), "tokclass-cli-"));
    writeFileSync(join(dir, "in.txt"), `${SEED}\n`);
    const file = await run(["--input", join(dir, "in.txt")]);
    expect(JSON.parse(file.stdout)).toEqual(await clf.classify(SEED));
  });

  it.skipIf(!existsSync("/bin/bash"))("--input <(command) and --input /dev/stdin read pipes (were refused as \"not a file\")", async () => {
    // Through a shell: those are pipes there (a spawned child's stdin is a socket, which /dev/stdin cannot open).
    const env = { ...process.env, NODE: process.execPath, MAIN, SEED };
    const expected = `${JSON.stringify(await clf.classify(SEED))}\n`;
    for (const script of ['"$NODE" "$MAIN" --input <(printf "%s\\n" "$SEED")', 'printf "%s\\n" "$SEED" | "$NODE" "$MAIN" --input /dev/stdin']) {
      const r = spawnSync("/bin/bash", ["-c", script], { cwd: root, encoding: "utf8", env });
      expect(r.stderr, script).toBe("");
      expect(r.status, script).toBe(0);
      expect(r.stdout, script).toBe(expected);
    }
  });

  it.skipIf(!existsSync("/dev/full"))("an output that cannot be written (/dev/full) exits 1 with tokclass's message, no stack", () => {
    const full = openSync("/dev/full", "w");
    onTestFinished(() => closeSync(full));
    for (const args of [[SEED], ["--help"]]) {
      const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: root, encoding: "utf8", stdio: ["ignore", full, "pipe"] });
      expect(r.stderr, args.join(" ")).toBe("tokclass: cannot write the output: ENOSPC: no space left on device, write\n");
      expect(r.status, args.join(" ")).toBe(1);
    }
  });

  it("invalid UTF-8 on stdin exits 3 and names the line", async () => {
    const input = Buffer.concat([Buffer.from(`${SEED}\n`), Buffer.from([0x41, 0xff, 0xfe, 0x0a]), Buffer.from("more\n")]);
    const r = await run(["-"], input);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("line 2: invalid UTF-8");
    expect(r.stdout.trimEnd().split("\n").length).toBe(1); // line 1 was still written
    const missing = await run(["--input", "/nonexistent/file.txt"]);
    expect(missing.code).toBe(3);
  });

  it("serve: SIGTERM lets a request in flight finish, then exits 0", async () => {
    const child = spawn(process.execPath, [MAIN, "serve", "--port", "0", "--log-level", "silent"], { cwd: root });
    const url = await listeningUrl(child);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // A stream of many inputs: once its first event has arrived the request is surely in flight.
    const inputs = Array.from({ length: 400 }, (_, i) => `${SEED} (${i})`);
    const res = await fetch(`${url}/models/default`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-wait-for-model": "true" },
      body: JSON.stringify({ inputs, stream: true }),
    });
    const reader = res.body!.getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    child.kill("SIGTERM");
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value);
    expect(text.match(/^event: input$/gm)?.length).toBe(400);
    expect(text).toMatch(/event: done\ndata: \{"inputs":400,"entities":\d+,"errors":0\}\n\n$/);
    expect(await exited).toBe(0);
  });

  it("--pretty prints a table; a missing model folder exits 1", async () => {
    const r = await run(["--pretty", SEED]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ENTITY\s+SCORE\s+START\s+END\s+WORD/);
    expect(r.stdout).toContain("Sarah Jessica Parker");
    const bad = await run(["--model", "/nonexistent/model", "x"]);
    expect(bad.code).toBe(1);
  });

  it("--model ID reads a model id from the Hugging Face cache ($HF_HUB_CACHE), --revision a cached revision", () => {
    // One repository laid out as huggingface_hub lays it out: refs/main -> snapshots/<commit>/.
    const hub = mkdtempSync(join(tmpdir(), "tokclass-cli-hub-"));
    const commit = "c".repeat(40);
    const snapshot = join(hub, "models--org--ner", "snapshots", commit);
    mkdirSync(snapshot, { recursive: true });
    mkdirSync(join(hub, "models--org--ner", "refs"));
    writeFileSync(join(hub, "models--org--ner", "refs", "main"), commit);
    for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "model.onnx"]) {
      symlinkSync(join(root, "models", "bert-cased-conll", f), join(snapshot, f));
    }
    onTestFinished(() => rmSync(hub, { recursive: true, force: true }));
    const env = { ...process.env, HF_HUB_CACHE: hub };
    const cli = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { cwd: root, encoding: "utf8", env });
    const byId = cli(["-m", "org/ner", SEED]);
    expect(byId.status, byId.stderr).toBe(0);
    expect(byId.stdout).toBe(cli([SEED]).stdout); // the same files as the embedded model
    expect(JSON.parse(byId.stdout)).not.toEqual([]);
    const absent = cli(["-m", "org/other", SEED]);
    expect(absent.status).toBe(1);
    expect(absent.stderr).toMatch(/no model org\/other in .*tokclass-cli-hub-.*never downloads/s);
    const revision = cli(["-m", "org/ner", "--revision", "v9", SEED]);
    expect(revision.status).toBe(1);
    expect(revision.stderr).toMatch(/not at revision "v9" \(refs there: main\)/);
  });

  it("TOKCLASS_ADDON naming a missing file fails with that error, not another addon in its place", () => {
    const r = spawnSync(process.execPath, [MAIN, SEED], { cwd: root, encoding: "utf8", env: { ...process.env, TOKCLASS_ADDON: "/nonexistent/tokclass.node" } });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("TOKCLASS_ADDON names /nonexistent/tokclass.node, which does not exist");
  });
});
