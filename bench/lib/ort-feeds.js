// onnxruntime-node input tensors for a batch of token-id rows, padded to the longest row (id 0,
// attention mask 0), token_type_ids all 0 when the model takes them. Shared by the raw
// competitors (competitors.js, raw-parallel-worker.js).
export function buildFeeds(ort, rows, hasTypeIds) {
  const B = rows.length;
  const S = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(B * S);
  const mask = new BigInt64Array(B * S);
  for (let b = 0; b < B; b++) {
    const r = rows[b];
    for (let j = 0; j < r.length; j++) { ids[b * S + j] = BigInt(r[j]); mask[b * S + j] = 1n; }
  }
  const feeds = { input_ids: new ort.Tensor("int64", ids, [B, S]), attention_mask: new ort.Tensor("int64", mask, [B, S]) };
  if (hasTypeIds) feeds.token_type_ids = new ort.Tensor("int64", new BigInt64Array(B * S), [B, S]);
  return feeds;
}
