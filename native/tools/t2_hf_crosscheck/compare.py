"""compare.py NAME OUT TOKENIZER_JSON DECODE_CLI: HF reference vs tokclass for one tokenizer."""
import json, subprocess, sys

name, out, tj, decode_cli = sys.argv[1:5]
texts = json.load(open(f'{out}/texts.json'))
ref = [json.loads(l) for l in open(f'{out}/ref_{name}.jsonl')]
mine = [json.loads(l) for l in open(f'{out}/mine_{name}.jsonl')]
dec_in = ''.join(json.dumps({'ids': r.get('ids', [])}) + '\n' for r in ref)
dec = subprocess.run([decode_cli, tj], input=dec_in, capture_output=True, text=True).stdout.splitlines()
fields = ['ids', 'tokens', 'offsets', 'special_tokens_mask', 'word_ids']
enc_ok = dec_ok = shown = 0
for t, r, m, d in zip(texts, ref, mine, dec):
    same = ('error' in m) if 'error' in r else all(r[f] == m.get(f) for f in fields)
    dsame = 'error' in r or json.loads(d) == r['decoded']
    enc_ok += same
    dec_ok += dsame
    if (not same or not dsame) and shown < 3:
        shown += 1
        print('  DIFF', repr(t[:80]))
        for f in fields + ['error']:
            if r.get(f) != m.get(f):
                print('    hf  ', f, str(r.get(f))[:300])
                print('    ours', f, str(m.get(f))[:300])
        if not dsame:
            print('    hf   decoded', repr(r['decoded'][:100]))
            print('    ours decoded', repr(json.loads(d)[:100]))
print(f'{name}: encode {enc_ok}/{len(texts)}, decode {dec_ok}/{len(texts)}')
sys.exit(0 if enc_ok == dec_ok == len(texts) else 1)
