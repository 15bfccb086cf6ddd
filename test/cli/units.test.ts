// CLI pieces without the model: argument parsing, line reading, the batching loop (fake classifier).
import { spawnSync } from "node:child_process";
import { PassThrough, Readable, Writable } from "node:stream";
import { closeSync, createWriteStream, mkdtempSync, openSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCli, SERVE_HELP, UsageError, type ClassifyCommand } from "../../src/cli/args.js";
import { exitCodeFor, main } from "../../src/cli/cli.js";
import { InputError, maxLineBytesFor, Output, OutputError, readLines, recordText } from "../../src/cli/io.js";
import { formatTable } from "../../src/cli/pretty.js";
import { runClassify } from "../../src/cli/run.js";
import { TokClassError } from "../../src/errors.js";
import type { CliClassifier } from "../../src/server/contract.js";
import type { ClassifyOptions, Entity } from "../../src/types.js";
import { FakeClassifier, fakeEntities } from "../server/fake.js";

describe("parseCli", () => {
  it("parses classify options into library options", () => {
    const cmd = parseCli(["-m", "/m", "-s", "first", "--ignore-labels", "O, MISC", "--stride", "16", "--offsets", "codepoint", "--device", "cuda", "--model-file", "q.onnx", "--text", "Hello"]);
    expect(cmd).toEqual({
      kind: "classify",
      texts: ["Hello"],
      model: "/m",
      load: { device: "cuda", modelFile: "q.onnx" },
      classify: { aggregationStrategy: "first", ignoreLabels: ["O", "MISC"], stride: 16, offsets: "codepoint", includeText: true },
      pretty: false,
      batchSize: 64,
      progress: true,
    });
    expect((parseCli(["--ignore-labels", "", "x"]) as ClassifyCommand).classify.ignoreLabels).toEqual([]);
    expect((parseCli(["--max-text-length", "1000", "x"]) as ClassifyCommand).load).toEqual({ maxTextLength: 1000 });
    expect(parseCli(["--stride", "8", "--full-text", "--max-window-tokens", "0", "x"])).toMatchObject({
      classify: { stride: 8, fullText: true },
      load: { maxWindowTokens: 0 },
    });
    expect(parseCli(["-m", "dslim/bert-base-NER", "--revision", "v2", "x"])).toMatchObject({ model: "dslim/bert-base-NER", load: { revision: "v2" } });
  });

  it("reads stdin with -, --input, or a piped stdin", () => {
    expect(parseCli(["-"])).toMatchObject({ input: "-", texts: [] });
    expect(parseCli(["--input", "f.jsonl", "--batch-size", "8"])).toMatchObject({ input: "f.jsonl", batchSize: 8 });
    expect(parseCli([], false)).toMatchObject({ input: "-" });
  });

  it("help, version, serve", () => {
    expect(parseCli(["--help"])).toEqual({ kind: "help", topic: "main" });
    expect(parseCli(["-v"])).toEqual({ kind: "version" });
    expect(parseCli(["serve", "-h"])).toEqual({ kind: "help", topic: "serve" });
    expect(parseCli(["serve", "--port", "0", "--model", "a/b=/x", "--model", "c=/y", "--token", "t", "--lazy", "--max-body", "2mb", "--request-timeout", "500"])).toEqual({
      kind: "serve",
      flags: { port: "0", model: ["a/b=/x", "c=/y"], token: ["t"], lazy: true, maxBody: "2mb", requestTimeout: "500" },
    });
    expect(SERVE_HELP).toMatch(/--request-timeout MS\s+ms a client has to send its whole request, else 408 \(default 30000; 0: none\)/);
  });

  it("usage errors", () => {
    const bad = [[], ["--bogus", "x"], ["-s", "median", "x"], ["--offsets", "bytes", "x"], ["--stride", "-1", "x"], ["--stride", "a", "x"], ["--device", "tpu", "x"], ["--batch-size", "0", "-"], ["-i", "f", "text"], ["a", "-"], ["serve", "extra"], ["serve", "--nope"], ["--model"], ["serve", "--request-timeout"], ["--max-text-length", "0", "x"], ["--max-text-length", "1e3", "x"], ["--max-text-length", "536870889", "x"], ["--full-text", "x"], ["--stride", "8", "--max-window-tokens", "-1", "x"], ["--stride", "8", "--max-window-tokens", "1.5", "x"]];
    for (const argv of bad) expect(() => parseCli(argv, true), argv.join(" ")).toThrow(UsageError);
    // An empty value is refused under the flag's own name (it reached the library as modelDir).
    for (const flag of ["--model", "--model-file", "--revision"]) {
      expect(() => parseCli([flag, "", "x"]), flag).toThrow(new UsageError(`${flag} needs a value, received an empty string`));
    }
  });

  it("a usage error names the help of its command", async () => {
    for (const [argv, help] of [[["--bogus"], '"tokclass --help"'], [["serve", "--bogus"], '"tokclass serve --help"']] as const) {
      const s = streams();
      let err = "";
      s.io.stderr.on("data", (d: Buffer) => (err += d.toString()));
      expect(await main([...argv], s.io)).toBe(2);
      expect(err).toContain(`Run ${help} for usage.`);
    }
  });

  it("exit codes by error kind", () => {
    expect(exitCodeFor(new UsageError("x"))).toBe(2);
    expect(exitCodeFor(new InputError("x", 3))).toBe(3);
    expect(exitCodeFor(new TokClassError("ERR_INVALID_TEXT", "x"))).toBe(3);
    expect(exitCodeFor(new TokClassError("ERR_STRIDE_TOO_LARGE", "x"))).toBe(2);
    expect(exitCodeFor(new TokClassError("ERR_MODEL_NOT_FOUND", "x"))).toBe(1);
    expect(exitCodeFor(new Error("boom"))).toBe(1);
    expect(exitCodeFor(new OutputError("disk full"))).toBe(1);
  });
});

async function collect(chunks: Array<string | Buffer>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of readLines(Readable.from(chunks.map((c) => (typeof c === "string" ? Buffer.from(c) : c))))) out.push(l.text);
  return out;
}

describe("readLines", () => {
  it("splits across chunks, strips CRLF and the BOM, keeps a last line without newline", async () => {
    expect(await collect(["\uFEFFa", "b\r\n", "c\n\nd"])).toEqual(["ab", "c", "", "d"]);
    expect(await collect(["x\n"])).toEqual(["x"]);
    // A multi-byte character split between chunks.
    const e = Buffer.from("é\n");
    expect(await collect([e.subarray(0, 1), e.subarray(1)])).toEqual(["é"]);
  });

  it("throws InputError with the line number on invalid UTF-8", async () => {
    const chunks = [Buffer.from("ok\nfine\n"), Buffer.from([0x62, 0xff, 0x0a])];
    const seen: number[] = [];
    const err = await (async () => {
      try {
        for await (const l of readLines(Readable.from(chunks))) seen.push(l.line);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(seen).toEqual([1, 2]);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).line).toBe(3);
    expect((err as Error).message).toBe("line 3: invalid UTF-8");
  });

  it("refuses a line past maxLineBytes once that many bytes arrived, earlier lines yielded", async () => {
    const seen: string[] = [];
    const read = async (chunks: string[]) => {
      for await (const l of readLines(Readable.from(chunks.map((c) => Buffer.from(c))), 8)) seen.push(l.text);
    };
    await expect(read(["ok\n12345", "6789"])).rejects.toThrow(/^line 2: longer than 8 bytes/);
    expect(seen).toEqual(["ok"]);
    await expect(read(["123456789\n"])).rejects.toThrow(/^line 1: longer than 8 bytes/);
    seen.length = 0;
    await read(["12345678\n", "12345678"]); // exactly the limit, with and without its newline
    expect(seen).toEqual(["12345678", "12345678"]);
    // The CLI's cap: room for the longest text as JSON escapes, but never so little that a
    // JSONL record with other fields beside a short text is refused.
    expect(maxLineBytesFor(2 ** 24)).toBe(6 * 2 ** 24 + 1024);
    expect(maxLineBytesFor(100)).toBe(64 * 1024 * 1024 + 1024);
  });
});

describe("recordText", () => {
  it("accepts JSON strings, objects with inputs/text, and plain lines", () => {
    expect(recordText('"a \\"b\\""', 1)).toBe('a "b"');
    expect(recordText('{"inputs": "x"}', 1)).toBe("x");
    expect(recordText('{"text": "y", "id": 3}', 1)).toBe("y");
    expect(recordText("plain text", 1)).toBe("plain text");
    expect(recordText('"Hi," she said.', 1)).toBe('"Hi," she said.');
    expect(recordText("123", 1)).toBe("123");
    expect(() => recordText('{"inputs": ["a"]}', 4)).toThrow("line 4:");
    expect(() => recordText("{broken", 5)).toThrow(InputError);
  });

  it("refuses, naming the line, what the classifier would refuse inside a batch", () => {
    // A lone surrogate can only come from a JSON escape; a pair is fine.
    expect(() => recordText('"bad \\ud800 x"', 7)).toThrow("line 7: text contains a lone surrogate at UTF-16 index 4");
    expect(() => recordText('{"inputs": "\\udc00"}', 2)).toThrow(InputError);
    expect(recordText('"\\ud83d\\ude00"', 1)).toBe("\u{1F600}");
    expect(recordText("abcd", 1, 4)).toBe("abcd");
    expect(() => recordText("abcde", 3, 4)).toThrow("line 3: text is 5 UTF-16 code units long, more than the limit of 4 (--max-text-length)");
    expect(() => recordText('"abcde"', 3, 4)).toThrow(InputError);
  });
});

class FakeCli extends FakeClassifier implements CliClassifier {
  batches: number[] = [];
  classify(text: string, options?: ClassifyOptions): Promise<Entity[]>;
  classify(texts: string[], options?: ClassifyOptions): Promise<Entity[][]>;
  async classify(input: string | string[], options?: ClassifyOptions): Promise<Entity[] | Entity[][]> {
    const texts = typeof input === "string" ? [input] : input;
    this.batches.push(texts.length);
    const out = texts.map((t) => fakeEntities(t, options?.aggregationStrategy ?? "simple"));
    return typeof input === "string" ? out[0]! : out;
  }
}

function streams(stdin = "") {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  return { io: { stdin: Readable.from([Buffer.from(stdin)]), stdout, stderr }, text: () => out };
}

describe("runClassify", () => {
  it("texts from arguments: one JSON line each", async () => {
    const s = streams();
    await runClassify(parseCli(["Ann", "no one"]) as ClassifyCommand, new FakeCli(undefined), s.io);
    expect(s.text()).toBe(`${JSON.stringify(fakeEntities("Ann"))}\n[]\n`);
  });

  it("stdin JSONL in batches, in order, blank lines give []", async () => {
    const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ inputs: `Name${i} x` }));
    lines.splice(3, 0, "");
    const s = streams(lines.join("\n") + "\n");
    const clf = new FakeCli(undefined);
    await runClassify(parseCli(["-", "--batch-size", "4"]) as ClassifyCommand, clf, s.io);
    const out = s.text().trimEnd().split("\n").map((l) => JSON.parse(l) as unknown);
    expect(out.length).toBe(11);
    expect(out[3]).toEqual([]);
    expect(out[0]).toEqual(fakeEntities("Name0 x"));
    expect(out[10]).toEqual(fakeEntities("Name9 x"));
    expect(clf.batches).toEqual([3, 4, 3]);
  });

  it("reads --input FILE; a missing file is an InputError", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tokclass-"));
    const file = join(dir, "in.txt");
    writeFileSync(file, "Alice\nBob\n");
    const s = streams();
    await runClassify(parseCli(["--input", file]) as ClassifyCommand, new FakeCli(undefined), s.io);
    expect(s.text().split("\n").length).toBe(3);
    await expect(runClassify(parseCli(["--input", join(dir, "nope")]) as ClassifyCommand, new FakeCli(undefined), s.io)).rejects.toThrow(InputError);
  });

  it("invalid UTF-8: earlier lines are written, then the InputError", async () => {
    const s = streams();
    s.io.stdin = Readable.from([Buffer.concat([Buffer.from("Ann\nBo\n"), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from("Cy\n")])]);
    await expect(runClassify(parseCli(["-"]) as ClassifyCommand, new FakeCli(undefined), s.io)).rejects.toThrow("line 3: invalid UTF-8");
    expect(s.text().trimEnd().split("\n").length).toBe(2);
  });

  it("a line the classifier would refuse: earlier lines are written, then the InputError naming it", async () => {
    // Refused inside a batch, it was reported as "text 1" (its index among the batch's
    // non-blank texts) with nothing written.
    const s = streams(['"Ann"', "", '"bad \\ud800"', '"Cy"'].join("\n") + "\n");
    await expect(runClassify(parseCli(["-"]) as ClassifyCommand, new FakeCli(undefined), s.io)).rejects.toThrow("line 3: text contains a lone surrogate");
    expect(s.text().trimEnd().split("\n").length).toBe(2);
    // Texts given as arguments are named by their position (a blank one still counts).
    await expect(runClassify(parseCli(["--max-text-length", "3", "", "hello"]) as ClassifyCommand, new FakeCli(undefined), streams().io)).rejects.toThrow(
      "argument 2: text is 5 UTF-16 code units long",
    );
    const t = streams("Ann\nBob Marley\n");
    await expect(runClassify(parseCli(["-", "--max-text-length", "5"]) as ClassifyCommand, new FakeCli(undefined), t.io)).rejects.toThrow("line 2: text is 10 UTF-16");
    expect(t.text().trimEnd().split("\n").length).toBe(1);
    // Arguments too: those before the refused one are classified and written first.
    const a = streams();
    const clf = new FakeCli(undefined);
    await expect(runClassify(parseCli(["--max-text-length", "5", "Ann", "Bob Marley", "Cy"]) as ClassifyCommand, clf, a.io)).rejects.toThrow(
      "argument 2: text is 10 UTF-16",
    );
    expect(a.text()).toBe(`${JSON.stringify(fakeEntities("Ann"))}\n`);
    expect(clf.batches).toEqual([1]);
  });

  it("standard input that is a folder is an input error, as --input DIR is (Node reads it as empty)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tokclass-dir-"));
    const fd = openSync(dir, "r");
    try {
      const s = streams();
      Object.assign(s.io.stdin, { fd });
      await expect(runClassify(parseCli(["-"]) as ClassifyCommand, new FakeCli(undefined), s.io)).rejects.toThrow(
        new InputError("cannot read standard input: it is a directory"),
      );
      // A stdin that is a file is read as before.
      const file = join(dir, "in.txt");
      writeFileSync(file, "Alice\n");
      const fileFd = openSync(file, "r");
      const f = streams("Alice\n");
      Object.assign(f.io.stdin, { fd: fileFd });
      await runClassify(parseCli(["-"]) as ClassifyCommand, new FakeCli(undefined), f.io);
      expect(f.text()).toBe(`${JSON.stringify(fakeEntities("Alice"))}\n`);
      closeSync(fileFd);
    } finally {
      closeSync(fd);
    }
  });

  it("input that pauses gets its results without waiting for a full batch or the end", async () => {
    const stdin = new PassThrough();
    const s = streams();
    s.io.stdin = stdin;
    const clf = new FakeCli(undefined);
    const run = runClassify(parseCli(["-", "--batch-size", "64"]) as ClassifyCommand, clf, s.io);
    stdin.write("Ann\nBob\n");
    // Before, nothing came out until 64 lines or the end of the input; the input stays open here.
    const deadline = Date.now() + 10_000;
    while (s.text().split("\n").length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(s.text()).toBe(`${JSON.stringify(fakeEntities("Ann"))}\n${JSON.stringify(fakeEntities("Bob"))}\n`);
    expect(clf.batches).toEqual([2]);
    stdin.end("Cy\n");
    await run;
    expect(clf.batches).toEqual([2, 1]);
    expect(s.text().trimEnd().split("\n").length).toBe(3);
  });

  it("an error ends the progress bar's line first, so the message does not run on from it", async () => {
    const s = streams();
    s.io.stdin = Readable.from([Buffer.concat([Buffer.from("Ann\n"), Buffer.from([0xff, 0x0a])])]);
    let err = "";
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    tty.on("data", (d: Buffer) => (err += d.toString()));
    s.io.stderr = tty;
    await expect(runClassify(parseCli(["-"]) as ClassifyCommand, new FakeCli(undefined), s.io)).rejects.toThrow("line 2: invalid UTF-8");
    expect(err).toMatch(/lines\/s\n$/);
  });

  it("--input takes anything readable but a folder: a FIFO, as `<(command)` gives", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tokclass-fifo-"));
    const fifo = join(dir, "in.fifo");
    const made = spawnSync("mkfifo", [fifo]);
    expect(made.status, String(made.stderr)).toBe(0);
    // The writer opens the FIFO when the reader does (neither open blocks the event loop).
    const writer = createWriteStream(fifo);
    writer.end("Alice\nBob Marley\n");
    const s = streams();
    await runClassify(parseCli(["--input", fifo, "--no-progress"]) as ClassifyCommand, new FakeCli(undefined), s.io);
    expect(s.text()).toBe(`${JSON.stringify(fakeEntities("Alice"))}\n${JSON.stringify(fakeEntities("Bob Marley"))}\n`);
    // A folder and a missing path are still input errors that say what is wrong.
    await expect(runClassify(parseCli(["--input", dir]) as ClassifyCommand, new FakeCli(undefined), streams().io)).rejects.toThrow(
      new InputError(`cannot read ${dir}: it is a directory`),
    );
    await expect(runClassify(parseCli(["--input", join(dir, "nope")]) as ClassifyCommand, new FakeCli(undefined), streams().io)).rejects.toThrow(/ENOENT/);
  });

  it("an output that cannot be written (ENOSPC) rejects with an OutputError, for the last write too", async () => {
    // Fails every write as a full disk does: asynchronously, after write() has returned.
    const full = (): Writable =>
      new Writable({
        write(_chunk, _encoding, callback) {
          callback(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }));
        },
      });
    const s = streams("Ann\nBob\n");
    await expect(runClassify(parseCli(["Ann"]) as ClassifyCommand, new FakeCli(undefined), { ...s.io, stdout: full() })).rejects.toThrow(OutputError);
    await expect(runClassify(parseCli(["-"]) as ClassifyCommand, new FakeCli(undefined), { ...s.io, stdout: full() })).rejects.toThrow(
      "cannot write the output: ENOSPC",
    );
    // EPIPE (the reader went away, `| head`) still ends the output quietly.
    const gone = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    const out = new Output(gone);
    await out.write("x\n");
    await out.finish();
    expect(out.closed).toBe(true);
  });

  it("--pretty prints a table", async () => {
    const s = streams();
    await runClassify(parseCli(["--pretty", "Sarah met Bob"]) as ClassifyCommand, new FakeCli(undefined), s.io);
    expect(s.text()).toMatch(/ENTITY\s+SCORE\s+START\s+END\s+WORD/);
    expect(s.text()).toMatch(/PER\s+0\.9000\s+0\s+5\s+Sarah/);
    expect(formatTable("t", [])).toContain("(no entities)");
  });
});
