// node hf_ref_trunc.mjs NODE_MODULES_DIR tokenizer.json requests.jsonl out.jsonl
// requests: {"text", "max_length", "stride"}; encodes with truncation and returns the
// overflowing windows too (as return_overflowing_tokens=True).
import fs from 'fs';
import { createRequire } from 'module';
import path from 'path';

const [, , modulesDir, tokPath, inPath, outPath] = process.argv;
const require = createRequire(path.join(modulesDir, 'x.js'));
const { Tokenizer } = require('tokenizers');
const json = fs.readFileSync(tokPath, 'utf8');
const reqs = fs.readFileSync(inPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const enc = (e) => ({
  ids: e.getIds(), tokens: e.getTokens(), offsets: e.getOffsets(),
  special_tokens_mask: e.getSpecialTokensMask(), word_ids: e.getWordIds().map((w) => w ?? null),
});
const lines = [];
for (const r of reqs) {
  const tok = Tokenizer.fromString(json);
  try {
    tok.setTruncation(r.max_length, { stride: r.stride });
    const e = await tok.encode(r.text);
    lines.push(JSON.stringify({ ...enc(e), overflowing: e.getOverflowing().map(enc) }));
  } catch (err) {
    lines.push(JSON.stringify({ error: String(err) }));
  }
}
fs.writeFileSync(outPath, lines.join('\n') + '\n');
