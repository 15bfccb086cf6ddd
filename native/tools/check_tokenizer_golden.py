#!/usr/bin/env python3
"""Checks the native tokenizer against a golden <model>.tokenizer.json.gz.

usage: check_tokenizer_golden.py <model_dir> <golden.tokenizer.json.gz> [--cli PATH] [-v]

Runs tokenize_cli (default /tmp/tokclass-tools/tokenize_cli; build it with
`make -C native/tools`) over every `encode` case (ids, tokens, offsets, special_tokens_mask,
word_ids) and every `overflow` case (the golden `chunks` = first window then the overflowing
ones; the fields present in the golden are compared). Exit status 0 when all pass.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys

FIELDS = ["ids", "tokens", "offsets", "special_tokens_mask", "word_ids", "type_ids"]


def norm(v):
    # Offsets come back as lists; goldens may hold tuples turned lists already.
    return [list(x) if isinstance(x, (list, tuple)) else x for x in v] if isinstance(v, list) else v


def compare(expected, got, label, problems, text):
    for f in FIELDS:
        if f not in expected:
            continue
        e, g = norm(expected[f]), norm(got.get(f))
        if e != g:
            problems.append(f"{label}: {f} differs for {text!r}\n  expected {e}\n  got      {g}")
            return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("golden")
    ap.add_argument("--cli", default="/tmp/tokclass-tools/tokenize_cli")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    golden = json.load(gzip.open(args.golden, "rt", encoding="utf-8"))
    requests, cases = [], []
    for i, c in enumerate(golden.get("encode", [])):
        requests.append({"text": c["text"]})
        cases.append(("encode", i, c))
    for i, c in enumerate(golden.get("overflow", [])):
        requests.append({"text": c["text"], "max_length": c["max_length"], "stride": c["stride"]})
        cases.append(("overflow", i, c))

    tok_path = os.path.join(args.model_dir, "tokenizer.json")
    stdin = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in requests)
    proc = subprocess.run([args.cli, tok_path], input=stdin.encode("utf-8"),
                          capture_output=True)
    if proc.returncode != 0:
        print(proc.stderr.decode("utf-8", "replace"), file=sys.stderr)
        print(f"tokenize_cli failed with status {proc.returncode}", file=sys.stderr)
        return 2
    # split on "\n" only: str.splitlines() also breaks on U+2028, U+0085, ... inside tokens
    lines = proc.stdout.decode("utf-8").split("\n")[:-1]
    if len(lines) != len(requests):
        print(f"expected {len(requests)} output lines, got {len(lines)}", file=sys.stderr)
        print(proc.stderr.decode("utf-8", "replace"), file=sys.stderr)
        return 2

    problems = []
    passed = {"encode": 0, "overflow": 0}
    totals = {"encode": 0, "overflow": 0}
    for (kind, i, case), line in zip(cases, lines):
        totals[kind] += 1
        got = json.loads(line)
        label = f"{kind}[{i}]"
        if "error" in got:
            problems.append(f"{label}: error {got['error']} for {case['text']!r}")
            continue
        if kind == "encode":
            ok = compare(case, got, label, problems, case["text"])
        else:
            windows = [got] + got.get("overflowing", [])
            chunks = case["chunks"]
            ok = len(windows) == len(chunks)
            if not ok:
                problems.append(f"{label}: {len(windows)} windows, expected {len(chunks)} "
                                f"(max_length={case['max_length']}, stride={case['stride']})")
            else:
                for k, (e, g) in enumerate(zip(chunks, windows)):
                    if not compare(e, g, f"{label} chunk {k}", problems, case["text"][:60]):
                        ok = False
                        break
        if ok:
            passed[kind] += 1

    name = os.path.basename(args.golden)
    for p in problems if args.verbose else problems[:10]:
        print(p)
    if problems and not args.verbose and len(problems) > 10:
        print(f"... {len(problems) - 10} more (use -v)")
    print(f"{name}: encode {passed['encode']}/{totals['encode']}, "
          f"overflow {passed['overflow']}/{totals['overflow']}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
