// Writes the seed corpora of the libFuzzer targets (native/fuzz/) from the repository's own
// fixtures, so that no corpus files are committed:
//   text/        every distinct golden text (encode[].text and overflow[].text), one file each,
//                prefixed with the two option bytes fuzz_tokenizer_encode reads first
//   tokenizer/   the tokenizer.json files of models/ and test/fixtures/models/, shrunk (see shrink)
//   json/        the model folders' JSON files (tokenizer.json shrunk further), plus small
//                hand-written documents
// Usage: node test/fuzz/make-seeds.mjs OUT_DIR
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = process.argv[2];
if (!out) {
  console.error("usage: node test/fuzz/make-seeds.mjs OUT_DIR");
  process.exit(2);
}

function put(dir, content) {
  mkdirSync(dir, { recursive: true });
  const name = createHash("sha1").update(content).digest("hex");
  writeFileSync(join(dir, name), content);
}

const modelDirs = [
  ...readdirSync(join(root, "models")).map((m) => join(root, "models", m)),
  ...readdirSync(join(root, "test/fixtures/models")).map((m) => join(root, "test/fixtures/models", m)),
];

// Texts from the goldens. The first three bytes are fuzz_tokenizer_encode's options
// (tokenizer index + flags, max_length selector, stride selector): each text once per
// tokenizer without truncation, and once with a small window and a stride.
const texts = new Set();
const goldenDir = join(root, "test/fixtures/golden");
for (const f of readdirSync(goldenDir).filter((f) => f.endsWith(".tokenizer.json.gz"))) {
  const golden = JSON.parse(gunzipSync(readFileSync(join(goldenDir, f))).toString("utf8"));
  for (const e of golden.encode ?? []) texts.add(e.text);
  for (const e of golden.overflow ?? []) texts.add(e.text);
}
let n = 0;
for (const text of texts) {
  const body = Buffer.from(text, "utf8");
  for (let tok = 0; tok < 6; tok++) {
    put(join(out, "text"), Buffer.concat([Buffer.from([tok, 0x00, 0x00]), body]));
    put(join(out, "text"), Buffer.concat([Buffer.from([tok | 0x30, 0x0a, 0x03]), body]));
    n += 2;
  }
}

// tokenizer.json documents, cut down to their first few hundred vocabulary entries (and the
// merges among them) so that the fuzzer runs hundreds of times faster; every component section
// (normalizer, pre_tokenizer, post_processor, decoder, added_tokens) is kept whole.
function shrink(doc, keep = 300) {
  const t = JSON.parse(doc);
  const m = t.model ?? {};
  if (Array.isArray(m.vocab)) {
    m.vocab = m.vocab.slice(0, keep);
    if (typeof m.unk_id === "number" && m.unk_id >= m.vocab.length) m.unk_id = 0;
  } else if (m.vocab && typeof m.vocab === "object") {
    const specials = new Set((t.added_tokens ?? []).map((a) => a.content));
    m.vocab = Object.fromEntries(Object.entries(m.vocab).filter(([k, id]) => id < keep || specials.has(k)));
  }
  if (Array.isArray(m.merges)) {
    const has = (s) => Object.prototype.hasOwnProperty.call(m.vocab, s);
    m.merges = m.merges
      .map((x) => (typeof x === "string" ? x.split(" ") : x))
      .filter(([a, b]) => has(a) && has(b) && has(a + b));
  }
  return Buffer.from(JSON.stringify(t, null, 1));
}

let t = 0;
for (const dir of modelDirs) {
  const path = join(dir, "tokenizer.json");
  if (existsSync(path)) {
    put(join(out, "tokenizer"), shrink(readFileSync(path, "utf8")));
    t++;
  }
}

let j = 0;
for (const dir of modelDirs) {
  for (const file of ["tokenizer.json", "config.json", "tokenizer_config.json", "special_tokens_map.json"]) {
    const path = join(dir, file);
    if (existsSync(path)) {
      put(join(out, "json"), file === "tokenizer.json" ? shrink(readFileSync(path, "utf8"), 40) : readFileSync(path));
      j++;
    }
  }
}
for (const doc of [
  "null", "true", "0", "-0.5e-3", "1e400", "9223372036854775807", "9223372036854775808", '"\\u00e9\\ud83d\\ude00"',
  '"\\ud800"', "[]", "{}", '{"a":[1,2,{"b":null}],"a":false}', "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]", " \t\r\n[1 , 2]\n",
]) {
  put(join(out, "json"), Buffer.from(doc));
  j++;
}
console.log(`seeds: ${n} text, ${t} tokenizer, ${j} json -> ${out}`);
