// CoNLL-2003 loader: `word POS tag` per line, blank line between sentences.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const ROOT = path.dirname(BENCH_DIR);
export const CONLL_DIR = path.join(BENCH_DIR, "data", "conll2003");

/** All sentences of a CoNLL file: [{ words, tags, text }] (text = words joined by " "). */
export function loadConllSentences(file = path.join(CONLL_DIR, "test.txt")) {
  const out = [];
  let words = [], tags = [];
  const flush = () => {
    if (words.length) out.push({ words, tags, text: words.join(" ") });
    words = []; tags = [];
  };
  for (const raw of fs.readFileSync(file, "utf8").split("\n")) {
    const line = raw.trim();
    if (!line) { flush(); continue; }
    const parts = line.split(/\s+/);
    if (parts[0] === "-DOCSTART-") continue;
    words.push(parts[0]);
    tags.push(parts[parts.length - 1]);
  }
  flush();
  return out;
}

/**
 * `count` sentence texts from a split (default: test), in file order from `offset`;
 * cycles through the file when count exceeds it (soak runs).
 */
export function loadTexts(count, { split = "test", offset = 0 } = {}) {
  const sents = loadConllSentences(path.join(CONLL_DIR, `${split}.txt`));
  if (!sents.length) throw new Error(`no sentences in ${split}.txt`);
  const n = count ?? sents.length;
  const texts = new Array(n);
  for (let i = 0; i < n; i++) texts[i] = sents[(offset + i) % sents.length].text;
  return texts;
}
