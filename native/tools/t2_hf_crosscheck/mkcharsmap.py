# Builds a darts-clone style double array (as sentencepiece's precompiled_charsmap) from a
# small NFKC-like rule set, to test the Precompiled normalizer against tokenizers 0.23.2.
import unicodedata, base64, json, struct, copy, os, sys
OUT = sys.argv[1]
FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../test/fixtures/models')
rules = {}
for cp in list(range(0x80, 0x3100)) + list(range(0xFB00, 0xFB50)) + list(range(0xFF00, 0xFFF0)) + list(range(0x1D400, 0x1D500)) + list(range(0x2460, 0x2500)):
    c = chr(cp)
    cat = unicodedata.category(c)
    if cat in ('Cs', 'Cn'): continue
    n = unicodedata.normalize('NFKC', c)
    if n != c: rules[c] = n
for cp in list(range(0x01, 0x09)) + [0x0B] + list(range(0x0E, 0x20)) + [0x7F]:
    rules[chr(cp)] = ''
for cp in [0x09, 0x0A, 0x0C, 0x0D, 0x3000, 0x2009, 0x200B, 0xFEFF]:
    rules[chr(cp)] = ' '
for base in 'aeiouAEIOUnNcCyY':
    for mark in '\u0300\u0301\u0302\u0303\u0308\u030a\u0327':
        k = base + mark
        n = unicodedata.normalize('NFC', k)
        if n != k: rules[k] = n
rules['\uff76\uff9e'] = '\u30ac'  # ｶﾞ -> ガ (two chars to one)
rules['ab'] = 'X'   # overlapping prefix with a longer key
rules['abc'] = 'Y'
rules['\u0645\u0651'] = '\u0645'  # a 2-char Arabic cluster

# byte trie
class N:
    def __init__(s): s.kids = {}; s.value = None
root = N()
blob = b''
offsets = {}
for k, v in sorted(rules.items()):
    vb = v.encode('utf-8') + b'\0'
    if vb not in offsets:
        offsets[vb] = len(blob); blob += vb
    node = root
    for b in k.encode('utf-8'):
        node = node.kids.setdefault(b, N())
    node.value = offsets[vb]

units = [0] * 1024
used = [False] * 1024
def ensure(n):
    global units, used
    while len(units) <= n: units += [0] * 1024; used += [False] * 1024
used[0] = True
queue = [(root, 0)]
while queue:
    node, p = queue.pop(0)
    labels = sorted(node.kids)
    need_leaf = node.value is not None
    off = 1
    while True:
        slots = [p ^ off ^ c for c in labels] + ([p ^ off] if need_leaf else [])
        ensure(max(slots + [0]))
        if all(not used[s] for s in slots) and off < (1 << 21): break
        off += 1
    # encode offset in this node's unit (root has no label)
    units[p] |= (off << 10)
    if need_leaf:
        s = p ^ off; used[s] = True; units[s] = (1 << 31) | node.value
        units[p] |= (1 << 8)
    for c in labels:
        s = p ^ off ^ c; used[s] = True; units[s] = c
        queue.append((node.kids[c], s))
n = len(units)
while n > 1 and not used[n - 1]: n -= 1
units = units[:n]
charsmap = struct.pack('<I', len(units) * 4) + b''.join(struct.pack('<I', u) for u in units) + blob
b64 = base64.b64encode(charsmap).decode()
xl = json.load(open(os.path.join(FIX, 'xlmr-tiny/tokenizer.json')))
t = copy.deepcopy(xl)
t['normalizer'] = {"type": "Sequence", "normalizers": [{"type": "Precompiled", "precompiled_charsmap": b64}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]}
json.dump(t, open(os.path.join(OUT, 'conf_xl_precompiled.json'), 'w'), ensure_ascii=False)
print(len(rules), 'rules', len(units), 'units', len(blob), 'blob bytes')
