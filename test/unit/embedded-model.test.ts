// The embedded model.onnx is the graph scripts/rebuild-bert-graph.py writes from the trained
// weights: ONNX Runtime fuses its attention blocks only in that layout, which makes small model
// runs cheaper (a run's fixed cost 14 -> 8 tokens on a 2-core Xeon; README, "Benchmarks"). Its
// answers are checked by the golden conformance tests; this checks that the file is that graph,
// so an exporter's graph copied over it again does not silently bring the slower runs back.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR } from "../../src/index.js";

/** ModelProto's first fields: 1 ir_version (varint), 2 producer_name (string). */
function onnxHeader(bytes: Uint8Array): { irVersion: number; producer: string } {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length || shift > 49) throw new Error("not an ONNX model: a varint runs past the header");
      const b = bytes[at++];
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
  };
  let irVersion = -1;
  let producer = "";
  while (at < bytes.length && (irVersion < 0 || producer === "")) {
    const tag = varint();
    if (tag === (1 << 3)) irVersion = varint();
    else if (tag === ((2 << 3) | 2)) {
      const n = varint();
      producer = Buffer.from(bytes.subarray(at, at + n)).toString("utf8");
      at += n;
    } else break; // a field this check does not need: the two come first in every writer
  }
  return { irVersion, producer };
}

describe("the embedded model", () => {
  it("is the graph scripts/rebuild-bert-graph.py writes", () => {
    const head = readFileSync(join(DEFAULT_MODEL_DIR, "model.onnx")).subarray(0, 256);
    expect(onnxHeader(head)).toEqual({ irVersion: 7, producer: "tokclass scripts/rebuild-bert-graph.py" });
  });
});
