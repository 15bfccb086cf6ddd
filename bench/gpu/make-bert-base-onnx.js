#!/usr/bin/env node
// Writes a BERT-base-shaped token classifier as ONNX with random weights, in plain Node: no
// torch, no Python, no npm packages. Made for the GPU machine, where the 367 MB / 183 MB
// models are too big to carry (64 MiB per call) and whose torch may export differently; the
// same script runs here, so what runs there was run here first.
//
// Shape (as bench/make-bert-base.py): 12 layers, hidden 768, 12 heads, FFN 3072, GELU (erf),
// LayerNorm eps 1e-12, 512 positions, 2 token types, the vocabulary and 9 labels of
// models/bert-cased-conll (whose tokenizer files are copied beside). Weights N(0, 0.02) from a
// seeded generator, biases 0, LayerNorm 1/0, classifier x4 with N(0, 1) bias so that scores
// spread, and --o-bias (7) added to label 0 ("O") so that about as many tokens are tagged as
// a trained CoNLL model tags (2,048 CoNLL test sentences, 48.6k tokens: 8-9k tagged, 7.5-9k
// entities with "simple"; bert-cased-conll tags 10k tokens in 4.1k entities). Opset 17, dynamic
// batch and sequence axes, int64 inputs input_ids / attention_mask / token_type_ids, output
// logits [batch, seq, 9].
//   model.onnx       float32 throughout
//   model_fp16.onnx  float16 weights and activations, float16 logits (tokclass converts them)
//
// usage: node bench/gpu/make-bert-base-onnx.js [--out DIR] [--layers N] [--hidden H]
//          [--heads A] [--intermediate F] [--seed S] [--o-bias B] [--no-fp16] [--no-fp32]
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SRC = path.join(ROOT, "models", "bert-cased-conll");

// ---------------------------------------------------------------------------------------
// Protocol buffers, writing only. A message is a list of buffers and their total length, so
// nesting a 90 MB weight never copies it: the file is written part by part.
// ---------------------------------------------------------------------------------------
function varint(value) {
  let v = BigInt.asUintN(64, BigInt(value)); // negative int64 -> two's complement, 10 bytes
  const bytes = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    bytes.push(b);
  } while (v !== 0n);
  return Buffer.from(bytes);
}

class Msg {
  constructor() {
    this.parts = [];
    this.length = 0;
  }
  raw(buf) {
    this.parts.push(buf);
    this.length += buf.length;
    return this;
  }
  tag(field, wire) {
    return this.raw(varint((field << 3) | wire));
  }
  int(field, value) {
    return this.tag(field, 0).raw(varint(value));
  }
  float(field, value) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    return this.tag(field, 5).raw(b);
  }
  bytes(field, data) {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    return this.tag(field, 2).raw(varint(buf.length)).raw(buf);
  }
  msg(field, m) {
    this.tag(field, 2).raw(varint(m.length));
    for (const p of m.parts) this.raw(p);
    return this;
  }
}

// onnx.proto field numbers and enums used below.
const T = { FLOAT: 1, INT64: 7, FLOAT16: 10 };
const A = { FLOAT: 1, INT: 2, TENSOR: 4, INTS: 7 };

function tensorProto(name, dataType, dims, raw) {
  const m = new Msg();
  for (const d of dims) m.int(1, d); // dims
  m.int(2, dataType); // data_type
  m.bytes(8, name); // name
  m.bytes(9, raw); // raw_data (little-endian)
  return m;
}

function attribute(name, value) {
  const m = new Msg().bytes(1, name);
  if (typeof value === "number" && Number.isInteger(value)) m.int(20, A.INT).int(3, value);
  else if (typeof value === "object" && value.float !== undefined) m.int(20, A.FLOAT).float(2, value.float);
  else if (Array.isArray(value)) {
    m.int(20, A.INTS);
    for (const v of value) m.int(8, v);
  } else throw new Error(`attribute ${name}: unsupported value`);
  return m;
}

function valueInfo(name, elemType, dims) {
  const shape = new Msg();
  for (const d of dims) shape.msg(1, typeof d === "string" ? new Msg().bytes(2, d) : new Msg().int(1, d));
  const tensorType = new Msg().int(1, elemType).msg(2, shape);
  return new Msg().bytes(1, name).msg(2, new Msg().msg(1, tensorType));
}

// ---------------------------------------------------------------------------------------
// Numbers: a seeded normal generator and float32 -> float16 (round to nearest even).
// ---------------------------------------------------------------------------------------
function normalGenerator(seed) {
  let s = seed >>> 0;
  const uniform = () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  let spare = null;
  return () => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const a = 2 * Math.PI * uniform();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function toHalfBits(x) {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // a carry rolls into the exponent
  return sign | half;
}

// ---------------------------------------------------------------------------------------
// The graph.
// ---------------------------------------------------------------------------------------
function parseArgs(argv) {
  const o = { out: path.join(ROOT, "bench", "models", "bert-base-shape-gen"), layers: 12, hidden: 768, heads: 12, intermediate: 3072, seed: 1234, fp16: true, fp32: true, oBias: 7 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === "--out") o.out = path.resolve(next());
    else if (a === "--layers") o.layers = Number(next());
    else if (a === "--hidden") o.hidden = Number(next());
    else if (a === "--heads") o.heads = Number(next());
    else if (a === "--intermediate") o.intermediate = Number(next());
    else if (a === "--seed") o.seed = Number(next());
    else if (a === "--o-bias") o.oBias = Number(next());
    else if (a === "--no-fp16") o.fp16 = false;
    else if (a === "--no-fp32") o.fp32 = false;
    else if (a === "--help" || a === "-h") {
      console.log("usage: node bench/gpu/make-bert-base-onnx.js [--out DIR] [--layers N] [--hidden H] [--heads A] [--intermediate F] [--seed S] [--o-bias B] [--no-fp16] [--no-fp32]");
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (o.hidden % o.heads !== 0) throw new Error("--hidden must be a multiple of --heads");
  return o;
}

/** Random weights, generated once and written in either precision. */
function makeWeights(o, vocab, labels) {
  const normal = normalGenerator(o.seed);
  const W = new Map();
  const randn = (name, dims, std) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = normal() * std;
    W.set(name, { dims, data: a });
  };
  const fill = (name, dims, v) => W.set(name, { dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(v) });
  const H = o.hidden, F = o.intermediate;
  randn("emb.word", [vocab, H], 0.02);
  randn("emb.pos", [512, H], 0.02);
  randn("emb.type", [2, H], 0.02);
  fill("emb.ln.g", [H], 1);
  fill("emb.ln.b", [H], 0);
  for (let l = 0; l < o.layers; l++) {
    for (const p of ["q", "k", "v", "o"]) {
      randn(`l${l}.${p}.w`, [H, H], 0.02);
      fill(`l${l}.${p}.b`, [H], 0);
    }
    fill(`l${l}.ln1.g`, [H], 1);
    fill(`l${l}.ln1.b`, [H], 0);
    randn(`l${l}.ffn_in.w`, [H, F], 0.02);
    fill(`l${l}.ffn_in.b`, [F], 0);
    randn(`l${l}.ffn_out.w`, [F, H], 0.02);
    fill(`l${l}.ffn_out.b`, [H], 0);
    fill(`l${l}.ln2.g`, [H], 1);
    fill(`l${l}.ln2.b`, [H], 0);
  }
  randn("cls.w", [H, labels], 0.02 * 4);
  randn("cls.b", [labels], 1);
  // Label 0 ("O") gets a head start so that, as in real CoNLL text, most tokens are outside any
  // entity: entity count drives post-processing and JavaScript object costs, which a model that
  // tags every token would inflate far beyond what a trained model makes.
  W.get("cls.b").data[0] = o.oBias;
  return W;
}

function floatRaw(data, fp16) {
  if (!fp16) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out = Buffer.alloc(data.length * 2);
  for (let i = 0; i < data.length; i++) out.writeUInt16LE(toHalfBits(data[i]), i * 2);
  return out;
}

function buildModel(o, W, labels, fp16) {
  const FT = fp16 ? T.FLOAT16 : T.FLOAT;
  const graph = new Msg();
  const nodes = [];
  const inits = [];
  let counter = 0;
  const node = (op, inputs, attrs = {}, nOut = 1) => {
    const id = `${op}_${counter++}`;
    const outputs = Array.from({ length: nOut }, (_, i) => (nOut === 1 ? id : `${id}_${i}`));
    const m = new Msg();
    for (const i of inputs) m.bytes(1, i);
    for (const out of outputs) m.bytes(2, out);
    m.bytes(3, id).bytes(4, op);
    for (const [k, v] of Object.entries(attrs)) m.msg(5, attribute(k, v));
    nodes.push(m);
    return nOut === 1 ? outputs[0] : outputs;
  };
  const weight = (name) => {
    const w = W.get(name);
    inits.push(tensorProto(name, FT, w.dims, floatRaw(w.data, fp16)));
    return name;
  };
  const floatConst = (name, value) => {
    inits.push(tensorProto(name, FT, [], floatRaw(Float32Array.of(value), fp16)));
    return name;
  };
  const intConst = (name, values, dims = [values.length]) => {
    inits.push(tensorProto(name, T.INT64, dims, Buffer.from(BigInt64Array.from(values.map(BigInt)).buffer)));
    return name;
  };
  const H = o.hidden, heads = o.heads, D = H / heads;
  const ln = (x, g, b) => node("LayerNormalization", [x, weight(g), weight(b)], { axis: -1, epsilon: { float: 1e-12 } });
  const linear = (x, prefix) => node("Add", [node("MatMul", [x, weight(`${prefix}.w`)]), weight(`${prefix}.b`)]);

  // Embeddings
  const one = floatConst("one", 1);
  const half = floatConst("half", 0.5);
  const sqrt2 = floatConst("sqrt2", Math.SQRT2);
  const scale = floatConst("sqrt_head_dim", Math.sqrt(D));
  const negBig = floatConst("mask_value", -10000);
  const shape4 = intConst("shape_heads", [0, 0, heads, D]);
  const shape3 = intConst("shape_hidden", [0, 0, H]);
  const axes12 = intConst("axes_1_2", [1, 2]);
  const seqLen = node("Gather", [node("Shape", ["input_ids"]), intConst("one_i64", [1], [])], { axis: 0 });
  const posIds = node("Range", [intConst("zero_i64", [0], []), seqLen, "one_i64"]);
  let x = node("Add", [node("Gather", [weight("emb.word"), "input_ids"], { axis: 0 }), node("Gather", [weight("emb.pos"), posIds], { axis: 0 })]);
  x = node("Add", [x, node("Gather", [weight("emb.type"), "token_type_ids"], { axis: 0 })]);
  x = ln(x, "emb.ln.g", "emb.ln.b");
  // [batch, 1, 1, seq] additive mask: 0 for tokens, -10000 for padding (fits float16)
  const mask = node("Unsqueeze", [node("Cast", ["attention_mask"], { to: FT }), axes12]);
  const maskBias = node("Mul", [node("Sub", [one, mask]), negBig]);

  for (let l = 0; l < o.layers; l++) {
    const p = `l${l}`;
    const q = node("Transpose", [node("Reshape", [linear(x, `${p}.q`), shape4])], { perm: [0, 2, 1, 3] });
    const kT = node("Transpose", [node("Reshape", [linear(x, `${p}.k`), shape4])], { perm: [0, 2, 3, 1] });
    const v = node("Transpose", [node("Reshape", [linear(x, `${p}.v`), shape4])], { perm: [0, 2, 1, 3] });
    const scores = node("Add", [node("Div", [node("MatMul", [q, kT]), scale]), maskBias]);
    const probs = node("Softmax", [scores], { axis: -1 });
    const ctx = node("Reshape", [node("Transpose", [node("MatMul", [probs, v])], { perm: [0, 2, 1, 3] }), shape3]);
    x = ln(node("Add", [linear(ctx, `${p}.o`), x]), `${p}.ln1.g`, `${p}.ln1.b`);
    const h = linear(x, `${p}.ffn_in`);
    const gelu = node("Mul", [node("Mul", [h, node("Add", [node("Erf", [node("Div", [h, sqrt2])]), one])]), half]);
    x = ln(node("Add", [linear(gelu, `${p}.ffn_out`), x]), `${p}.ln2.g`, `${p}.ln2.b`);
  }
  const logits = linear(x, "cls");
  nodes.push(new Msg().bytes(1, logits).bytes(2, "logits").bytes(3, "logits_identity").bytes(4, "Identity"));

  for (const n of nodes) graph.msg(1, n);
  graph.bytes(2, "bert_base_shape");
  for (const t of inits) graph.msg(5, t);
  for (const name of ["input_ids", "attention_mask", "token_type_ids"]) graph.msg(11, valueInfo(name, T.INT64, ["batch_size", "sequence_length"]));
  graph.msg(12, valueInfo("logits", FT, ["batch_size", "sequence_length", labels]));

  const model = new Msg();
  model.int(1, 8); // ir_version 8 (ONNX 1.10+): read by every ONNX Runtime since 1.10
  model.bytes(2, "tokclass bench/gpu/make-bert-base-onnx.js");
  model.bytes(3, "1");
  model.msg(7, graph);
  model.msg(8, new Msg().bytes(1, "").int(2, 17)); // opset_import: ai.onnx 17
  return model;
}

function writeMsg(file, m) {
  const fd = fs.openSync(file, "w");
  try {
    for (const p of m.parts) fs.writeSync(fd, p);
  } finally {
    fs.closeSync(fd);
  }
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const cfg = JSON.parse(fs.readFileSync(path.join(SRC, "config.json"), "utf8"));
  const id2label = cfg.id2label;
  const labels = Object.keys(id2label).length;
  const vocab = cfg.vocab_size;
  fs.mkdirSync(o.out, { recursive: true });
  const t0 = performance.now();
  const W = makeWeights(o, vocab, labels);
  let params = 0;
  for (const w of W.values()) params += w.data.length;
  console.log(`[make-bert-base-onnx] ${(params / 1e6).toFixed(1)}M parameters (seed ${o.seed}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const fp16 of [false, true]) {
    if ((fp16 && !o.fp16) || (!fp16 && !o.fp32)) continue;
    const t1 = performance.now();
    const file = path.join(o.out, fp16 ? "model_fp16.onnx" : "model.onnx");
    const model = buildModel(o, W, labels, fp16);
    writeMsg(file, model);
    console.log(`[make-bert-base-onnx] wrote ${file} (${(model.length / 1e6).toFixed(0)} MB) in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  }
  const out = {
    architectures: ["BertForTokenClassification"],
    model_type: "bert",
    hidden_act: "gelu",
    hidden_size: o.hidden,
    intermediate_size: o.intermediate,
    layer_norm_eps: 1e-12,
    max_position_embeddings: 512,
    num_attention_heads: o.heads,
    num_hidden_layers: o.layers,
    pad_token_id: 0,
    type_vocab_size: 2,
    vocab_size: vocab,
    id2label,
    label2id: Object.fromEntries(Object.entries(id2label).map(([k, v]) => [v, Number(k)])),
    _note: `random weights (seed ${o.seed}), written by bench/gpu/make-bert-base-onnx.js for benchmarks`,
  };
  fs.writeFileSync(path.join(o.out, "config.json"), JSON.stringify(out, null, 2) + "\n");
  for (const name of ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]) {
    fs.copyFileSync(path.join(SRC, name), path.join(o.out, name));
  }
  console.log(`[make-bert-base-onnx] done: ${o.out}`);
}

main();
