// Do two ONNX token-classification graphs compute the same logits? Used after
// scripts/rebuild-bert-graph.py: runs both through onnxruntime-node on random right-padded
// batches (1-6 rows, 2-120 tokens, random lengths per row) and prints the largest difference
// over the real tokens (padding positions are not compared: nothing reads them).
//
// usage: node scripts/compare-logits.mjs A.onnx B.onnx [--batches N] [--vocab V]
// Exits 1 when the largest difference reaches 1e-4 (the golden files' tolerance for scores).
import ort from "onnxruntime-node";
import { parseArgs } from "node:util";

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: { batches: { type: "string", default: "200" }, vocab: { type: "string", default: "8000" } },
});
if (positionals.length !== 2) {
  console.error("usage: node scripts/compare-logits.mjs A.onnx B.onnx [--batches N] [--vocab V]");
  process.exit(2);
}
const sessions = await Promise.all(positionals.map((f) => ort.InferenceSession.create(f, { intraOpNumThreads: 1 })));
const vocab = Number(a.vocab);
let seed = 12345; // a fixed LCG: the same batches every time
const rand = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);

let worst = 0, tokens = 0;
for (let b = 0; b < Number(a.batches); b++) {
  const rows = 1 + rand(6), len = 2 + rand(119), n = rows * len;
  const ids = new BigInt64Array(n), mask = new BigInt64Array(n), types = new BigInt64Array(n);
  for (let r = 0; r < rows; r++) {
    const valid = r === 0 ? len : 2 + rand(len - 1); // the longest row sets the batch's length
    for (let j = 0; j < valid; j++) {
      ids[r * len + j] = BigInt(j === 0 ? 101 : 5 + rand(vocab - 5));
      mask[r * len + j] = 1n;
      types[r * len + j] = BigInt(rand(4) === 0 ? 1 : 0);
    }
  }
  const feeds = {
    input_ids: new ort.Tensor("int64", ids, [rows, len]),
    attention_mask: new ort.Tensor("int64", mask, [rows, len]),
    token_type_ids: new ort.Tensor("int64", types, [rows, len]),
  };
  const [x, y] = await Promise.all(sessions.map(async (s) => (await s.run(feeds)).logits.data));
  const labels = x.length / n;
  for (let t = 0; t < n; t++) {
    if (!mask[t]) continue;
    tokens++;
    for (let c = 0; c < labels; c++) worst = Math.max(worst, Math.abs(x[t * labels + c] - y[t * labels + c]));
  }
}
console.log(`${tokens} real tokens in ${a.batches} batches: largest |logit difference| ${worst.toExponential(3)}`);
process.exit(worst < 1e-4 ? 0 : 1);
