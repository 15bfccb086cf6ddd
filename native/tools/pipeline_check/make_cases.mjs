// Builds the input of pipeline_check (the C++ driver of native/pipeline/) for one model: every
// case of test/fixtures/golden/<model>.pipeline.json.gz with its windows (encodings taken from
// the golden TOKENIZER file, so the real tokenizer is not needed) and their logits (computed
// here with onnxruntime-node), plus the expected entities or error.
//
//   node native/tools/pipeline_check/make_cases.mjs <model> <out.txt>
//   node native/tools/pipeline_check/make_cases.mjs --words <model> <out.txt>
//
// --words: the is_split_into_words cases of <model>.words.json.gz (WordPiece models only). The
// tokenizer golden has no encodings for them, so each word is tokenized with tokenizers.js and
// its tokens aligned back to the word's code points (offsets relative to the word, as the
// fast tokenizer gives them); legacy-parameter error cases are left out (binding concern).
//
// Output format (whitespace-separated words; every string is percent-encoded UTF-8, "-" = none):
//   pipecheck 1
//   model <name>
//   labels <n> <label>...
//   unk <id | -1>
//   decoder wordpiece <prefix> <cleanup 0|1> | bytelevel | metaspace <replacement> <prepend_scheme>
//   subword_prefix <prefix | ->
//   cases <n>
//   then per case:
//   case <id> <strategy> <stride | -1> <model_max_length> ignore <k | -1> <label>...
//   error <message | ->
//   texts <t>            (a batch case has t > 1)
//   per text:  text <text> wordstarts <k | -1> <start>... windows <w>
//              per window: window <tokens> <num_labels>, then <tokens> lines
//                          "<id> <token> <start> <end> <special> <word_id>" and one line of logits
//              expected <m>, then m lines "<label> <score> <index> <word> <start> <end>"
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const args = process.argv.slice(2);
const wordsMode = args[0] === '--words';
if (wordsMode) args.shift();
const [model, outPath] = args;
if (!model || !outPath) {
  console.error('usage: node make_cases.mjs [--words] <model> <out.txt>');
  process.exit(2);
}

const readGz = (p) => JSON.parse(zlib.gunzipSync(fs.readFileSync(p)).toString('utf8'));
const modelDir = [path.join(root, 'models', model), path.join(root, 'test/fixtures/models', model)].find(
  (d) => fs.existsSync(path.join(d, 'model.onnx')),
);
if (!modelDir) throw new Error(`no model folder for ${model}`);
const golden = path.join(root, 'test/fixtures/golden');
const pipe = readGz(path.join(golden, `${model}.pipeline.json.gz`));
const tok = readGz(path.join(golden, `${model}.tokenizer.json.gz`));
const tj = JSON.parse(fs.readFileSync(path.join(modelDir, 'tokenizer.json'), 'utf8'));
const config = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8'));

// id -> token string (vocabulary plus added tokens)
const idToToken = [];
const vocab = tj.model.vocab;
if (Array.isArray(vocab)) vocab.forEach(([t], i) => (idToToken[i] = t)); // Unigram
else for (const [t, i] of Object.entries(vocab)) idToToken[i] = t;
for (const a of tj.added_tokens ?? []) idToToken[a.id] = a.content;

// transformers' tokenizer.unk_token_id: the unk_token of special_tokens_map.json (or
// tokenizer_config.json) looked up in the vocabulary, not the model's own unk setting.
const tokenToId = new Map(idToToken.map((t, i) => [t, i]));
const readJson = (f) => (fs.existsSync(path.join(modelDir, f)) ? JSON.parse(fs.readFileSync(path.join(modelDir, f), 'utf8')) : {});
const unkSpec = readJson('special_tokens_map.json').unk_token ?? readJson('tokenizer_config.json').unk_token;
const unkToken = typeof unkSpec === 'string' ? unkSpec : unkSpec?.content;
const unkId = unkToken != null && tokenToId.has(unkToken) ? tokenToId.get(unkToken) : -1;

const labels = [];
for (const [k, v] of Object.entries(config.id2label)) labels[Number(k)] = v;

const enc = (s) => (s === '' ? '%' : encodeURIComponent(s)); // "%" alone = empty string
const lines = [];
const w = (...parts) => lines.push(parts.join(' '));

w('pipecheck 1');
w('model', enc(model));
w('labels', labels.length, ...labels.map(enc));
w('unk', unkId);
const dec = tj.decoder;
if (dec?.type === 'WordPiece') w('decoder wordpiece', enc(dec.prefix), dec.cleanup ? 1 : 0);
else if (dec?.type === 'ByteLevel') w('decoder bytelevel');
else if (dec?.type === 'Metaspace') w('decoder metaspace', enc(dec.replacement), dec.prepend_scheme);
else throw new Error(`unsupported decoder ${dec?.type}`);
w('subword_prefix', tj.model.continuing_subword_prefix ? enc(tj.model.continuing_subword_prefix) : '-');

// ---- windows -------------------------------------------------------------------------------
const encodeByText = new Map(tok.encode.map((e) => [e.text, e]));
const overflowBy = new Map(tok.overflow.map((o) => [`${o.max_length}/${o.stride}|${o.text}`, o]));

function chunkToWindow(c) {
  return {
    ids: c.ids,
    tokens: c.tokens ?? c.ids.map((i) => idToToken[i]),
    offsets: c.offsets,
    special: c.special_tokens_mask,
    wordIds: c.word_ids ?? c.ids.map(() => null),
  };
}

// The golden overflow holds (24,0), (24,4), (40,10). Other (max_length, stride) pairs are
// rebuilt from the content tokens those chunks cover, windowed as tokenizers' truncate does
// (windows of max_length-2 content tokens stepping by max_length-2-stride). The first chunk of
// the first window plus non-overlapping tails gives the covered content sequence.
function contentOf(o) {
  const inner = (c) => c.ids.map((_, i) => i).filter((i) => !c.special_tokens_mask[i]);
  const out = [];
  const L = o.max_length - 2;
  o.chunks.forEach((c, k) => {
    const idx = inner(c);
    const skip = k === 0 ? 0 : o.stride;
    for (const i of idx.slice(skip)) out.push({ id: c.ids[i], off: c.offsets[i] });
  });
  return { out, L };
}
function rebuild(text, maxLength, stride) {
  const src = [...overflowBy.values()].find((o) => o.text === text && o.max_length === maxLength);
  if (!src) throw new Error(`no overflow source for ml ${maxLength}`);
  const { out } = contentOf(src);
  const first = src.chunks[0];
  const [cls, sep] = [first.ids[0], first.ids[first.ids.length - 1]];
  const L = maxLength - 2;
  const step = L - stride;
  const chunks = [];
  for (let s = 0; ; s += step) {
    const e = Math.min(s + L, out.length);
    const part = out.slice(s, e);
    chunks.push({
      ids: [cls, ...part.map((p) => p.id), sep],
      offsets: [[0, 0], ...part.map((p) => p.off), [0, 0]],
      special_tokens_mask: [1, ...part.map(() => 0), 1],
    });
    if (e === out.length) break;
  }
  return chunks;
}
// Self-check of the rebuild against a pair the golden has.
for (const o of tok.overflow) {
  if (o.max_length !== 24 || o.stride !== 4) continue;
  const got = rebuild(o.text, 24, 4);
  if (JSON.stringify(got.map((c) => c.ids)) !== JSON.stringify(o.chunks.map((c) => c.ids)))
    throw new Error('window rebuild does not reproduce the golden (24,4) overflow');
}

function windowsFor(text, mml, stride) {
  if (mml == null) {
    const e = encodeByText.get(text);
    if (!e) throw new Error(`text not in tokenizer golden: ${text.slice(0, 40)}`);
    return [chunkToWindow(e)];
  }
  if (stride == null) {
    const o = [...overflowBy.values()].find((x) => x.text === text && x.max_length === mml);
    if (!o) throw new Error('no overflow for truncation');
    return [chunkToWindow(o.chunks[0])];
  }
  const o = overflowBy.get(`${mml}/${stride}|${text}`);
  return (o ? o.chunks : rebuild(text, mml, stride)).map(chunkToWindow);
}

// ---- logits ----------------------------------------------------------------------------------
const session = await ort.InferenceSession.create(path.join(modelDir, 'model.onnx'));
const logitsCache = new Map();
async function logitsFor(ids) {
  const key = ids.join(',');
  if (logitsCache.has(key)) return logitsCache.get(key);
  const n = ids.length;
  const feeds = {};
  const i64 = (arr) => new ort.Tensor('int64', BigInt64Array.from(arr, BigInt), [1, n]);
  for (const name of session.inputNames) {
    if (name === 'input_ids') feeds[name] = i64(ids);
    else if (name === 'attention_mask') feeds[name] = i64(ids.map(() => 1));
    else if (name === 'token_type_ids') feeds[name] = i64(ids.map(() => 0));
    else throw new Error(`unknown model input ${name}`);
  }
  const out = await session.run(feeds);
  const t = out.logits;
  const res = { data: Float32Array.from(t.data), numLabels: t.dims[2] };
  logitsCache.set(key, res);
  return res;
}

// ---- pre-split words (--words) ------------------------------------------------------------
let wordTokenizer = null;
async function wordWindow(words) {
  if (!wordTokenizer) {
    const { Tokenizer } = await import('@huggingface/tokenizers');
    wordTokenizer = new Tokenizer(tj, readJson('tokenizer_config.json'));
  }
  const norm = tj.normalizer ?? {};
  const lowercase = norm.type === 'BertNormalizer' && norm.lowercase;
  const strip = norm.type === 'BertNormalizer' && (norm.strip_accents ?? norm.lowercase);
  const isPunct = (ch) => /[\p{P}]/u.test(ch) || /^[!-\/:-@\[-`{-~]$/.test(ch);
  const isCjk = (ch) => /\p{Script=Han}/u.test(ch);
  const win = { ids: [], tokens: [], offsets: [], special: [], wordIds: [] };
  const push = (id, token, off, special, wid) => {
    win.ids.push(id);
    win.tokens.push(token);
    win.offsets.push(off);
    win.special.push(special);
    win.wordIds.push(wid);
  };
  const cls = tokenToId.get('[CLS]');
  const sep = tokenToId.get('[SEP]');
  push(cls, '[CLS]', [0, 0], 1, null);
  words.forEach((word, wid) => {
    // normalized code points, each with the index of the original code point it came from
    const cps = Array.from(word);
    const normed = [];
    cps.forEach((ch, i) => {
      let s = ch;
      if (strip) s = s.normalize('NFD').replace(/\p{Mn}/gu, '');
      if (lowercase) s = s.toLowerCase();
      for (const c of Array.from(s)) normed.push({ c, i });
    });
    const tokens = wordTokenizer.tokenize(word, { add_special_tokens: false });
    const ids = wordTokenizer.encode(word, { add_special_tokens: false }).ids;
    let pos = 0;
    tokens.forEach((t, k) => {
      while (pos < normed.length && /\s/u.test(normed[pos].c)) pos++;
      let len;
      if (t === '[UNK]') {
        // an unknown pre-token: one punctuation/CJK char, or a run up to the next boundary
        const first = normed[pos].c;
        len = 1;
        if (!isPunct(first) && !isCjk(first)) {
          while (pos + len < normed.length && !/\s/u.test(normed[pos + len].c) && !isPunct(normed[pos + len].c) && !isCjk(normed[pos + len].c)) len++;
        }
      } else {
        const piece = Array.from(t.startsWith('##') ? t.slice(2) : t);
        const got = normed.slice(pos, pos + piece.length).map((x) => x.c).join('');
        if (got !== piece.join('')) throw new Error(`cannot align token ${t} in word ${word}`);
        len = piece.length;
      }
      const start = normed[pos].i;
      const end = normed[pos + len - 1].i + 1;
      pos += len;
      push(ids[k], t, [start, end], 0, wid);
    });
  });
  push(sep, '[SEP]', [0, 0], 1, null);
  return win;
}

// ---- cases ----------------------------------------------------------------------------------
const cases = wordsMode
  ? readGz(path.join(golden, `${model}.words.json.gz`)).cases.filter((c) => c.words)
  : pipe.cases;
w('cases', cases.length);
for (const c of cases) {
  const p = c.parameters;
  const ignore = p.ignore_labels ? [p.ignore_labels.length, ...p.ignore_labels.map(enc)] : [-1];
  w('case', enc(c.id), p.aggregation_strategy ?? '-', p.stride ?? -1, c.model_max_length ?? 512, 'ignore', ...ignore);
  w('error', c.error ? enc(c.error) : '-');
  let texts, expected, wordLists = null;
  if (wordsMode) {
    // A single word list comes back as a list holding one list.
    wordLists = Array.isArray(c.words[0]) ? c.words : [c.words];
    const delimiter = p.delimiter ?? ' ';
    texts = wordLists.map((ws) => ws.join(delimiter));
    expected = c.expected;
  } else {
    texts = Array.isArray(c.text) ? c.text : [c.text];
    expected = c.error ? texts.map(() => []) : Array.isArray(c.text) ? c.expected : [c.expected];
  }
  w('texts', texts.length);
  for (let t = 0; t < texts.length; t++) {
    const text = texts[t];
    let wins, starts = [-1];
    if (wordsMode) {
      const delimiter = p.delimiter ?? ' ';
      const ws = wordLists[t];
      const s0 = [];
      let at = 0;
      for (const word of ws) {
        s0.push(at);
        at += Array.from(word).length + Array.from(delimiter).length;
      }
      starts = [s0.length, ...s0];
      wins = [await wordWindow(ws)];
    } else {
      wins = c.error ? [] : windowsFor(text, c.model_max_length, p.stride);
    }
    w('text', enc(text), 'wordstarts', ...starts, 'windows', wins.length);
    for (const win of wins) {
      const { data, numLabels } = await logitsFor(win.ids);
      w('window', win.ids.length, numLabels);
      for (let i = 0; i < win.ids.length; i++) {
        w(win.ids[i], enc(win.tokens[i]), win.offsets[i][0], win.offsets[i][1], win.special[i], win.wordIds[i] ?? -1);
      }
      w(Array.from(data).join(' '));
    }
    const ex = expected[t];
    w('expected', ex.length);
    for (const e of ex) {
      w(enc(e.entity ?? e.entity_group), e.score, e.index ?? -1, enc(e.word), e.start, e.end);
    }
  }
}
fs.writeFileSync(outPath, lines.join('\n') + '\n');
console.log(`${model}: ${cases.length} cases, ${logitsCache.size} distinct windows -> ${outPath}`);
