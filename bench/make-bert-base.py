#!/usr/bin/env python3
"""Build a BERT-base-shaped token-classification model for benchmarks.

Plain torch (no transformers needed): 12 layers, hidden 768, 12 heads, intermediate 3072,
GELU (erf), LayerNorm eps 1e-12, 512 positions, 2 token types, vocab 8192 (the
bert-cased-conll tokenizer's, so its tokenizer.json is reused), 9 CoNLL labels.
Random weights with a fixed seed; the classifier is scaled so that scores are spread out.

Writes bench/models/bert-base-shape/:
  model.onnx        fp32, opset 17, dynamic batch/sequence axes
  model_fp16.onnx   same graph, fp16 weights and activations, int64 inputs, fp32 logits
  config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json
The transformers.js layout (onnx/model.onnx ...) is made by bench/make-layouts.js.

Usage: /usr/bin/python3 bench/make-bert-base.py [--out DIR] [--layers N] [--seed S] [--force]
Needs python3-torch and python3-onnx (Debian; see bench/setup.sh).
"""
import argparse
import json
import math
import os
import shutil
import sys

import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC_MODEL = os.path.join(ROOT, "models", "bert-cased-conll")


class SelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, hidden)

    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x, mask_bias):
        q = self.split(self.query(x))
        k = self.split(self.key(x))
        v = self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        scores = scores + mask_bias
        probs = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v).transpose(1, 2)
        b, s = ctx.shape[0], ctx.shape[1]
        ctx = ctx.reshape(b, s, self.heads * self.head_dim)
        return self.out(ctx)


class Layer(nn.Module):
    def __init__(self, hidden, heads, inter, eps):
        super().__init__()
        self.attn = SelfAttention(hidden, heads)
        self.ln1 = nn.LayerNorm(hidden, eps=eps)
        self.ffn_in = nn.Linear(hidden, inter)
        self.ffn_out = nn.Linear(inter, hidden)
        self.ln2 = nn.LayerNorm(hidden, eps=eps)
        self.act = nn.GELU()

    def forward(self, x, mask_bias):
        x = self.ln1(x + self.attn(x, mask_bias))
        return self.ln2(x + self.ffn_out(self.act(self.ffn_in(x))))


class BertForTokenClassification(nn.Module):
    def __init__(self, vocab, hidden, layers, heads, inter, max_pos, type_vocab, labels, eps):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max_pos, hidden)
        self.token_type = nn.Embedding(type_vocab, hidden)
        self.ln = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList([Layer(hidden, heads, inter, eps) for _ in range(layers)])
        self.classifier = nn.Linear(hidden, labels)

    def forward(self, input_ids, attention_mask, token_type_ids):
        seq = input_ids.shape[1]
        pos_ids = torch.arange(seq, dtype=torch.long, device=input_ids.device).unsqueeze(0)
        x = self.word(input_ids) + self.pos(pos_ids) + self.token_type(token_type_ids)
        x = self.ln(x)
        # [b, 1, 1, s] additive mask: 0 for tokens, -10000 for padding (fits fp16 too)
        m = attention_mask[:, None, None, :].to(x.dtype)
        mask_bias = (1.0 - m) * -10000.0
        for layer in self.layers:
            x = layer(x, mask_bias)
        return self.classifier(x)


def init_weights(model, std=0.02, classifier_scale=4.0):
    for mod in model.modules():
        if isinstance(mod, nn.Linear):
            nn.init.normal_(mod.weight, 0.0, std)
            nn.init.zeros_(mod.bias)
        elif isinstance(mod, nn.Embedding):
            nn.init.normal_(mod.weight, 0.0, std)
        elif isinstance(mod, nn.LayerNorm):
            nn.init.ones_(mod.weight)
            nn.init.zeros_(mod.bias)
    with torch.no_grad():
        model.classifier.weight.mul_(classifier_scale)
        model.classifier.bias.copy_(torch.randn_like(model.classifier.bias))


def export(model, path, dtype, opset, device="cpu"):
    ids = torch.randint(5, 8000, (2, 11), dtype=torch.long, device=device)
    mask = torch.ones_like(ids)
    mask[1, 8:] = 0
    tt = torch.zeros_like(ids)
    m = model.to(device=device, dtype=dtype)
    extra = {}
    # torch >= 2.9 defaults to the dynamo exporter; keep the TorchScript one (dynamic_axes)
    import inspect
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        extra["dynamo"] = False
    torch.onnx.export(
        m,
        (ids, mask, tt),
        path,
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "sequence_length"},
            "token_type_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"},
        },
        opset_version=opset,
        do_constant_folding=True,
        **extra,
    )


def to_fp16(src, dst):
    """fp16 weights/activations, fp32 logits output, int64 inputs unchanged."""
    import onnx
    from onnx import helper, TensorProto

    m = onnx.load(src)
    try:
        from onnxconverter_common import float16  # optional, better coverage

        m16 = float16.convert_float_to_float16(m, keep_io_types=True)
        onnx.save(m16, dst)
        return "onnxconverter_common"
    except ImportError:
        pass
    from onnx import numpy_helper
    import numpy as np

    g = m.graph
    for init in g.initializer:
        if init.data_type == TensorProto.FLOAT:
            arr = numpy_helper.to_array(init).astype(np.float16)
            init.CopyFrom(numpy_helper.from_array(arr, init.name))
    for node in g.node:
        if node.op_type == "Constant":
            for a in node.attribute:
                if a.name == "value" and a.t.data_type == TensorProto.FLOAT:
                    arr = numpy_helper.to_array(a.t).astype(np.float16)
                    # finfo(fp32).min overflows fp16 -> clamp to the fp16 range
                    arr = np.nan_to_num(arr, neginf=-65504.0, posinf=65504.0)
                    a.t.CopyFrom(numpy_helper.from_array(arr, a.t.name))
        for a in node.attribute:
            # Cast(to=FLOAT) inside the graph (the mask) must now produce fp16
            if node.op_type == "Cast" and a.name == "to" and a.i == TensorProto.FLOAT:
                a.i = TensorProto.FLOAT16
            if node.op_type == "ConstantOfShape" and a.name == "value" and a.t.data_type == TensorProto.FLOAT:
                arr = numpy_helper.to_array(a.t).astype(np.float16)
                a.t.CopyFrom(numpy_helper.from_array(arr, a.t.name))
    # output: add Cast(fp16 -> fp32) so the logits stay float32 for the caller
    out = g.output[0]
    internal = out.name + "_fp16"
    for node in g.node:
        for i, o in enumerate(node.output):
            if o == out.name:
                node.output[i] = internal
    g.node.append(helper.make_node("Cast", [internal], [out.name], to=TensorProto.FLOAT))
    del g.value_info[:]
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    return "manual"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "models", "bert-base-shape"))
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--hidden", type=int, default=768)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--intermediate", type=int, default=3072)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--no-fp16", action="store_true")
    ap.add_argument("--force", action="store_true", help="rebuild even if model.onnx exists")
    args = ap.parse_args()

    out = args.out
    if os.path.exists(os.path.join(out, "model.onnx")) and not args.force:
        print(f"[make-bert-base] {out}/model.onnx exists (use --force to rebuild)")
        return
    os.makedirs(out, exist_ok=True)

    with open(os.path.join(SRC_MODEL, "config.json")) as f:
        src_cfg = json.load(f)
    id2label = src_cfg["id2label"]
    vocab = src_cfg["vocab_size"]
    with open(os.path.join(SRC_MODEL, "tokenizer.json")) as f:
        tok_vocab = len(json.load(f)["model"]["vocab"])
    assert tok_vocab <= vocab, (tok_vocab, vocab)

    torch.manual_seed(args.seed)
    model = BertForTokenClassification(
        vocab=vocab, hidden=args.hidden, layers=args.layers, heads=args.heads,
        inter=args.intermediate, max_pos=512, type_vocab=2, labels=len(id2label), eps=1e-12,
    )
    init_weights(model)
    model.eval()
    nparams = sum(p.numel() for p in model.parameters())
    print(f"[make-bert-base] torch {torch.__version__}, {nparams / 1e6:.1f}M parameters")

    fp32 = os.path.join(out, "model.onnx")
    with torch.no_grad():
        export(model, fp32, torch.float32, args.opset)
    print(f"[make-bert-base] wrote {fp32} ({os.path.getsize(fp32) / 1e6:.0f} MB)")

    if not args.no_fp16:
        fp16 = os.path.join(out, "model_fp16.onnx")
        try:
            how = to_fp16(fp32, fp16)
        except ImportError:
            # no python onnx package: export under torch half on a GPU when there is one
            if not torch.cuda.is_available():
                print("[make-bert-base] no onnx package and no CUDA: model_fp16.onnx skipped")
                how = None
            else:
                with torch.no_grad():
                    export(model, fp16, torch.float16, args.opset, device="cuda")
                how = "torch half export on cuda (logits fp16)"
        if how:
            print(f"[make-bert-base] wrote {fp16} ({os.path.getsize(fp16) / 1e6:.0f} MB, {how})")

    cfg = {
        "architectures": ["BertForTokenClassification"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": args.hidden,
        "initializer_range": 0.02,
        "intermediate_size": args.intermediate,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": 512,
        "num_attention_heads": args.heads,
        "num_hidden_layers": args.layers,
        "pad_token_id": 0,
        "type_vocab_size": 2,
        "vocab_size": vocab,
        "id2label": id2label,
        "label2id": {v: int(k) for k, v in id2label.items()},
        "_note": f"random weights (seed {args.seed}), built by bench/make-bert-base.py for benchmarks",
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copyfile(os.path.join(SRC_MODEL, name), os.path.join(out, name))
    print(f"[make-bert-base] done: {out}")


if __name__ == "__main__":
    sys.exit(main())
