#!/usr/bin/env python3
"""Rebuild a BERT token-classification ONNX graph in the layout ONNX Runtime fuses.

Why: the embedded model came from PyTorch's exporter at opset 17 with transformers' newer
attention-mask code (Range / Where / Expand over the mask) and shapes computed at run time
(Shape -> Gather -> Concat -> Reshape). ONNX Runtime's own optimizer (level "all") fuses none of
its attention blocks: 186 nodes are left, and on a small model a run's fixed cost (~14 tokens'
worth of compute on a 2-core Xeon) decides how much small batches cost. ONNX Runtime's
AttentionFusion recognises one layout only: opset <= 12, LayerNorm spelled out, reshapes to
constant [0, 0, heads, head_size] / [0, 0, hidden], the mask as (1 - mask) * -10000, scores
divided by sqrt(head_size). This script writes the same weights in that layout, so the optimizer
leaves 58 nodes (4 Attention, 4 BiasGelu, LayerNormalization, MatMul, Add) and a run's fixed
cost falls to ~8 tokens.

What changes in the arithmetic: nothing for the real tokens' scores beyond float rounding
(logits within ~1e-5; every golden case still passes). Padding is -10000 instead of the float
minimum (exp() of either is 0 in float32), and the fused Attention reads the mask as a length per
row: the ones must come first, as with right padding, which is how tokclass pads.

Usage: /usr/bin/python3 scripts/rebuild-bert-graph.py MODEL_DIR OUT.onnx [--source SRC.onnx]
  MODEL_DIR   a Hugging Face BERT folder (config.json; model.onnx unless --source)
  The weights are found by their Hugging Face names (any prefix before "bert." / "classifier."),
  the linear layers' (transposed) weights by the bias added to their product; a graph written by
  this script is read back as well, so running it twice gives the same file. A graph whose
  exporter folded a weight away (all-zero biases of an untrained model: the random test
  fixtures) is refused, naming the weight.
Needs Debian's python3-onnx and numpy. Checked afterwards with scripts/compare-logits.mjs and
the golden conformance tests (npm test).
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 12  # AttentionFusion matches Softmax / Unsqueeze as defined up to opset 12


def hf_name(name):
    """'m.bert.encoder.layer.0...' -> 'bert.encoder.layer.0...'; None for anonymous tensors."""
    for root in ("bert.", "classifier."):
        at = name.find(root)
        if at == 0 or (at > 0 and name[at - 1] == "."):
            return name[at:]
    return None


def read_weights(model):
    """Hugging Face parameter name -> array; linear weights stored as '<layer>.weightT' [in, out]."""
    g = model.graph
    arrays = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    for n in g.node:  # constants folded into nodes by some exporters
        if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value":
            arrays[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    params = {}
    for name, a in arrays.items():
        hf = hf_name(name)
        if hf:
            params[hf] = a
    consumers = {}
    for n in g.node:
        for x in n.input:
            consumers.setdefault(x, []).append(n)
    for n in g.node:
        if n.op_type != "MatMul" or n.input[1] not in arrays or arrays[n.input[1]].ndim != 2:
            continue
        if hf_name(n.input[1]):
            continue  # already named (a graph this script wrote)
        biases = [x for c in consumers.get(n.output[0], []) if c.op_type == "Add"
                  for x in c.input if hf_name(x) and x.endswith(".bias")]
        if len(biases) != 1:
            sys.exit(f"cannot tell which layer MatMul {n.name} belongs to (biases {biases})")
        params[hf_name(biases[0])[: -len(".bias")] + ".weightT"] = arrays[n.input[1]]
    return params


class GraphWriter:
    def __init__(self, params):
        self.params = params
        self.nodes = []
        self.initializers = {}

    def const(self, name, value):
        if name not in self.initializers:
            self.initializers[name] = numpy_helper.from_array(np.asarray(value), name)
        return name

    def param(self, name):
        if name not in self.params:
            # An exporter drops or renames a weight it can fold (an all-zero bias, as in an
            # untrained model, or two equal tensors deduplicated): nothing here to rebuild from.
            sys.exit(f"weight {name} not found in the source graph (folded or renamed by the exporter?)")
        return self.const(name, self.params[name].astype(np.float32))

    def node(self, op, inputs, **attrs):
        out = f"{op.lower()}_{len(self.nodes)}"
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def linear(self, x, layer):
        return self.node("Add", [self.node("MatMul", [x, self.param(layer + ".weightT")]), self.param(layer + ".bias")])

    def layer_norm(self, x, layer, eps):
        # Spelled out as PyTorch exports it below opset 17; LayerNormFusion makes it one node,
        # which is what AttentionFusion starts from.
        mean = self.node("ReduceMean", [x], axes=[-1])
        centered = self.node("Sub", [x, mean])
        var = self.node("ReduceMean", [self.node("Pow", [centered, self.const("two", np.float32(2))])], axes=[-1])
        std = self.node("Sqrt", [self.node("Add", [var, self.const("eps", np.float32(eps))])])
        scaled = self.node("Mul", [self.node("Div", [centered, std]), self.param(layer + ".weight")])
        return self.node("Add", [scaled, self.param(layer + ".bias")])


def build(params, cfg):
    hidden, heads, layers = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"]
    eps = cfg.get("layer_norm_eps", 1e-12)
    head_size = hidden // heads
    w = GraphWriter(params)
    one = w.const("one", np.float32(1))
    split = w.const("split_heads", np.array([0, 0, heads, head_size], np.int64))
    merge = w.const("merge_heads", np.array([0, 0, hidden], np.int64))

    emb = "bert.embeddings"
    seq_len = w.node("Gather", [w.node("Shape", ["input_ids"]), w.const("axis_1", np.int64(1))], axis=0)
    positions = w.node("Range", [w.const("zero_i64", np.int64(0)), seq_len, w.const("one_i64", np.int64(1))])
    x = w.node("Add", [w.node("Gather", [w.param(emb + ".word_embeddings.weight"), "input_ids"]),
                       w.node("Gather", [w.param(emb + ".position_embeddings.weight"), positions])])
    x = w.node("Add", [x, w.node("Gather", [w.param(emb + ".token_type_embeddings.weight"), "token_type_ids"])])
    x = w.layer_norm(x, emb + ".LayerNorm", eps)

    mask = w.node("Cast", [w.node("Unsqueeze", [w.node("Unsqueeze", ["attention_mask"], axes=[1])], axes=[2])],
                  to=TensorProto.FLOAT)
    mask_bias = w.node("Mul", [w.node("Sub", [one, mask]), w.const("masked", np.float32(-10000))])
    scale = w.const("sqrt_head_size", np.float32(math.sqrt(head_size)))

    for i in range(layers):
        p = f"bert.encoder.layer.{i}"

        def to_heads(t, perm):
            return w.node("Transpose", [w.node("Reshape", [t, split])], perm=perm)

        q = to_heads(w.linear(x, p + ".attention.self.query"), [0, 2, 1, 3])
        k = to_heads(w.linear(x, p + ".attention.self.key"), [0, 2, 3, 1])
        v = to_heads(w.linear(x, p + ".attention.self.value"), [0, 2, 1, 3])
        scores = w.node("Add", [w.node("Div", [w.node("MatMul", [q, k]), scale]), mask_bias])
        context = w.node("MatMul", [w.node("Softmax", [scores], axis=3), v])
        context = w.node("Reshape", [w.node("Transpose", [context], perm=[0, 2, 1, 3]), merge])
        x = w.layer_norm(w.node("Add", [w.linear(context, p + ".attention.output.dense"), x]),
                         p + ".attention.output.LayerNorm", eps)
        h = w.linear(x, p + ".intermediate.dense")
        erf = w.node("Erf", [w.node("Div", [h, w.const("sqrt_two", np.float32(math.sqrt(2)))])])
        h = w.node("Mul", [w.node("Mul", [h, w.node("Add", [erf, one])]), w.const("half", np.float32(0.5))])
        x = w.layer_norm(w.node("Add", [w.linear(h, p + ".output.dense"), x]), p + ".output.LayerNorm", eps)

    logits = w.linear(x, "classifier")
    w.nodes.append(helper.make_node("Identity", [logits], ["logits"], name="logits"))
    labels = params["classifier.weightT"].shape[1]
    dims = ["batch_size", "sequence_length"]
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, dims)
              for n in ("input_ids", "attention_mask", "token_type_ids")]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, dims + [labels])]
    graph = helper.make_graph(w.nodes, "bert-token-classification", inputs, outputs, list(w.initializers.values()))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="tokclass scripts/rebuild-bert-graph.py")
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model_dir")
    ap.add_argument("out")
    ap.add_argument("--source", help="ONNX file to read the weights from (default MODEL_DIR/model.onnx)")
    a = ap.parse_args()
    with open(os.path.join(a.model_dir, "config.json")) as f:
        cfg = json.load(f)
    if cfg.get("model_type") != "bert" or cfg.get("hidden_act") != "gelu" or \
            cfg.get("position_embedding_type", "absolute") != "absolute":
        sys.exit("only BERT with GELU (erf) and absolute positions is supported")
    source = onnx.load(a.source or os.path.join(a.model_dir, "model.onnx"))
    model = build(read_weights(source), cfg)
    onnx.save(model, a.out)
    print(f"wrote {a.out}: {len(model.graph.node)} nodes, opset {OPSET}")


if __name__ == "__main__":
    main()
