// Worker thread of the "rawpar" competitor (competitors.js): one single-threaded
// onnxruntime-node session, its batches' tensors built before any timing. On "run" it takes
// batch numbers from a counter shared with the other workers until none are left, so the
// batches spread over the workers as they free up (what a careful JS user of onnxruntime-node
// would write to use every core with a small model).
import { parentPort, workerData } from "node:worker_threads";
import ort from "onnxruntime-node";

const { file, batches, hasTypeIds } = workerData;
const session = await ort.InferenceSession.create(file, {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: "all",
  executionMode: "sequential",
});
const feeds = batches.map((rows) => {
  const B = rows.length;
  const S = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(B * S);
  const mask = new BigInt64Array(B * S);
  rows.forEach((r, b) => r.forEach((id, j) => { ids[b * S + j] = BigInt(id); mask[b * S + j] = 1n; }));
  const f = { input_ids: new ort.Tensor("int64", ids, [B, S]), attention_mask: new ort.Tensor("int64", mask, [B, S]) };
  if (hasTypeIds) f.token_type_ids = new ort.Tensor("int64", new BigInt64Array(B * S), [B, S]);
  return f;
});
parentPort.on("message", async (msg) => {
  if (msg.cmd === "run") {
    const next = new Int32Array(msg.counter);
    let runs = 0;
    for (let k; (k = Atomics.add(next, 0, 1)) < feeds.length; runs++) await session.run(feeds[k]);
    parentPort.postMessage({ done: true, runs });
  } else if (msg.cmd === "close") {
    await session.release?.();
    parentPort.close();
  }
});
parentPort.postMessage({ ready: true });
