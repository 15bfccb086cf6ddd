// Tokenizer families for bench/tokenize.js, the two tokenizers under test, and the id comparison.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { ROOT } from "./conll.js";

export const FAMILIES = {
  wordpiece: { label: "WordPiece", dir: "models/bert-cased-conll" },
  bpe: { label: "byte-level BPE", dir: "test/fixtures/models/roberta-tiny" },
  unigram: { label: "Unigram", dir: "test/fixtures/models/xlmr-tiny" },
};

export function familyFiles(family) {
  const dir = path.join(ROOT, FAMILIES[family].dir);
  return { dir, tokenizerJson: path.join(dir, "tokenizer.json"), tokenizerConfig: path.join(dir, "tokenizer_config.json") };
}

/** tokclass's native Tokenizer (dist/ or TOKCLASS_ENTRY). */
export async function loadNative(family) {
  const entry = process.env.TOKCLASS_ENTRY ? path.resolve(process.env.TOKCLASS_ENTRY) : path.join(ROOT, "dist", "index.js");
  const { Tokenizer } = await import(entry);
  if (!Tokenizer) throw new Error(`${entry} has no Tokenizer export`);
  return Tokenizer.fromFile(familyFiles(family).tokenizerJson);
}

/** @huggingface/tokenizers, as transformers.js builds it: new Tokenizer(tokenizer.json, tokenizer_config.json). */
export async function loadJs(family) {
  const { Tokenizer } = await import("@huggingface/tokenizers");
  const f = familyFiles(family);
  const tj = JSON.parse(fs.readFileSync(f.tokenizerJson, "utf8"));
  const tc = fs.existsSync(f.tokenizerConfig) ? JSON.parse(fs.readFileSync(f.tokenizerConfig, "utf8")) : {};
  return new Tokenizer(tj, tc);
}

/**
 * Optional third tokenizer: Hugging Face's own Rust `tokenizers` through its Node binding
 * (npm `tokenizers`, napi-rs; not a dependency of tokclass). `dir` is a folder holding
 * node_modules/tokenizers (HF_TOKENIZERS_DIR or --hf-rust). Returns null when absent.
 */
export function loadHfRust(family, dir) {
  if (!dir) return null;
  const modules = fs.existsSync(path.join(dir, "node_modules")) ? path.join(dir, "node_modules") : dir;
  const pkg = path.join(modules, "tokenizers", "package.json");
  // Asked for and not there: said, rather than the comparison silently left out.
  if (!fs.existsSync(pkg)) throw new Error(`no Hugging Face tokenizers package in ${modules} (npm "tokenizers"; --no-hf-rust runs without it)`);
  const require = createRequire(path.join(modules, "x.js"));
  const { Tokenizer } = require("tokenizers");
  const tok = Tokenizer.fromFile(familyFiles(family).tokenizerJson);
  tok.version = JSON.parse(fs.readFileSync(pkg, "utf8")).version;
  return tok;
}

export function jsVersion() {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "@huggingface", "tokenizers", "package.json"), "utf8")).version;
  } catch { return null; }
}

const sameIds = (a, b) => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

/**
 * Compares native encodings with @huggingface/tokenizers encodings text by text.
 * Returns {agree, total, diffs: [{index, text, at, native: {tokens, ids}, js: {tokens, ids}}]}
 * with up to `keep` differences, each cut to a window around the first differing position.
 */
export function compareIds(texts, nativeEncs, jsEncs, { keep = 5, window = 4 } = {}) {
  let agree = 0;
  const diffs = [];
  let differing = 0;
  for (let i = 0; i < texts.length; i++) {
    const n = nativeEncs[i], j = jsEncs[i];
    if (sameIds(n.ids, j.ids)) { agree++; continue; }
    differing++;
    if (diffs.length >= keep) continue;
    let at = 0;
    while (at < n.ids.length && at < j.ids.length && n.ids[at] === j.ids[at]) at++;
    const lo = Math.max(0, at - window);
    const cut = (arr) => Array.from(arr.slice(lo, at + window + 1));
    // The text around the first differing native token (offsets are code points).
    let excerpt = texts[i];
    const off = n.offsets;
    if (off && at < n.ids.length) {
      const cps = Array.from(texts[i]);
      const s = off[2 * at], e = off[2 * at + 1];
      excerpt = cps.slice(Math.max(0, s - 30), Math.min(cps.length, e + 30)).join("");
    }
    diffs.push({
      index: i,
      excerpt,
      firstDifferenceAt: at,
      nativeLength: n.ids.length,
      jsLength: j.ids.length,
      native: { tokens: cut(n.tokens), ids: cut(n.ids) },
      js: { tokens: cut(j.tokens), ids: cut(j.ids) },
    });
  }
  return { agree, differing, total: texts.length, diffs };
}
