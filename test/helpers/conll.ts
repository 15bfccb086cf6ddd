// CoNLL-2003 sentences from the project's copy (bench/data/conll2003), words joined by spaces:
// realistic texts for the tests that need many (the benchmarks read the same files).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./golden.js";

/** The first `limit` sentences of a split ("train", "dev" or "test"), -DOCSTART- lines left out. */
export function conllSentences(split: "train" | "dev" | "test", limit: number): string[] {
  const out: string[] = [];
  let words: string[] = [];
  for (const line of readFileSync(join(ROOT, "bench", "data", "conll2003", `${split}.txt`), "utf8").split("\n")) {
    const word = line.split(" ")[0]!;
    if (line.trim() === "") {
      if (words.length) out.push(words.join(" "));
      words = [];
      if (out.length >= limit) break;
    } else if (word !== "-DOCSTART-") {
      words.push(word);
    }
  }
  return out;
}
