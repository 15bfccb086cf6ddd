// node hf_ref.mjs NODE_MODULES_DIR tokenizer.json texts.json out.jsonl
// Encodes (add_special_tokens) and decodes every text with Hugging Face `tokenizers`.
import fs from 'fs';
import { createRequire } from 'module';
import path from 'path';

const [, , modulesDir, tokPath, textsPath, outPath] = process.argv;
const require = createRequire(path.join(modulesDir, 'x.js'));
const { Tokenizer } = require('tokenizers');
const tok = Tokenizer.fromString(fs.readFileSync(tokPath, 'utf8'));
const texts = JSON.parse(fs.readFileSync(textsPath, 'utf8'));
const lines = [];
for (const t of texts) {
  try {
    const e = await tok.encode(t);
    const ids = e.getIds();
    let decoded;
    try {
      decoded = await tok.decode(ids, false);
    } catch (err) {
      decoded = 'ERR ' + err;
    }
    lines.push(JSON.stringify({
      ids, tokens: e.getTokens(), offsets: e.getOffsets(), special_tokens_mask: e.getSpecialTokensMask(),
      word_ids: e.getWordIds().map((w) => w ?? null), decoded,
    }));
  } catch (err) {
    lines.push(JSON.stringify({ error: String(err) }));
  }
}
fs.writeFileSync(outPath, lines.join('\n') + '\n');
