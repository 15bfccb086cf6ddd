// Worker thread of the "rawpar" competitor (competitors.js): one single-threaded
// onnxruntime-node session, its batches' tensors built before any timing. On "run" it takes
// batch numbers from a counter shared with the other workers until none are left, so the
// batches spread over the workers as they free up (what a careful JS user of onnxruntime-node
// would write to use every core with a small model).
import { parentPort, workerData } from "node:worker_threads";
import ort from "onnxruntime-node";
import { buildFeeds } from "./ort-feeds.js";

const { file, batches } = workerData;
const session = await ort.InferenceSession.create(file, {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: "all",
  executionMode: "sequential",
});
const hasTypeIds = session.inputNames.includes("token_type_ids");
const feeds = batches.map((rows) => buildFeeds(ort, rows, hasTypeIds));
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
