"""compare_trunc.py NAME OUT: truncation windows (main + overflowing), HF vs tokclass."""
import json, sys

name, out = sys.argv[1:3]
reqs = [json.loads(l) for l in open(f'{out}/trunc_in.jsonl')]
ref = [json.loads(l) for l in open(f'{out}/ref_trunc_{name}.jsonl')]
mine = [json.loads(l) for l in open(f'{out}/mine_trunc_{name}.jsonl')]
F = ['ids', 'tokens', 'offsets', 'special_tokens_mask', 'word_ids']
same = lambda a, b: all(a[f] == b.get(f) for f in F)
ok = shown = 0
for q, r, m in zip(reqs, ref, mine):
    if 'error' in r:
        good = 'error' in m
    else:
        over_r, over_m = r['overflowing'], m.get('overflowing', [])
        good = same(r, m) and len(over_r) == len(over_m) and all(same(a, b) for a, b in zip(over_r, over_m))
    ok += good
    if not good and shown < 3:
        shown += 1
        print('  DIFF', json.dumps(q, ensure_ascii=False)[:160])
print(f'{name} truncation: {ok}/{len(reqs)}')
sys.exit(0 if ok == len(reqs) else 1)
