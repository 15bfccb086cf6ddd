"""Writes OUT/texts.json and OUT/cli_in.jsonl: CoNLL dev sentences (when available) + random
strings over a pool of characters that stress normalization, splitting and offsets."""
import json, os, random, sys

out = sys.argv[1]
random.seed(7)
texts = []
conll = os.path.join(os.path.dirname(__file__), '../../../../shared/data/conll2003/dev.txt')
if os.path.exists(conll):
    sent = []
    for line in open(conll, encoding='utf-8'):
        line = line.strip()
        if not line:
            if sent: texts.append(' '.join(sent)); sent = []
            continue
        w = line.split()[0]
        if w != '-DOCSTART-': sent.append(w)
pool = list("abcXYZ éüñßÆøĳﬁﬂ№™①Ⅳ½²") + [
    "e\u0301", "a\u0308", "\u0301", "\u0323\u0302", "ﾊﾟ", "ｶﾞ", "가", "각", "ᄀ", "ᅡ", "東", "京", "語", "😀", "👍🏽",
    "👨‍👩‍👧", "❤️", "🇫🇷", "\u200b", "\u200d", "\u00a0", "\u3000", "\u2009", "\t", "\n", "\r\n", "  ", "   ", " ", " ",
    " ", "'s", "'re", "'ll", "'", "’", "--", "...", "$", "1", "23", "4567", "٣", "Ελλάδα", "Москва", "مرحبا", "שלום",
    "हिन्दी", "ไทย", "\u0000", "\x07", "\ufeff", "▁", "Ġ", "<s>", "<unk>", "İ", "ẞ", "ǅ", "ﬀ", "Å", "Å", "𝐁", "𝔸",
    "\U0001F600", "\u0645\u0651", "\u0600", "\u0e01\u0e33", "\x1f", "\x7f", "Ｔｏｋｙｏ"]
for _ in range(3000):
    texts.append(''.join(random.choice(pool) for _ in range(random.randint(1, 25))))
json.dump(texts, open(os.path.join(out, 'texts.json'), 'w'), ensure_ascii=False)
with open(os.path.join(out, 'cli_in.jsonl'), 'w') as f:
    for t in texts:
        f.write(json.dumps({'text': t}, ensure_ascii=False) + '\n')
print(len(texts), 'texts')
# Truncation requests: long texts (8 sentences/strings joined) with various max_length/stride.
long = [' '.join(texts[i:i + 8]) for i in range(0, len(texts), 8)]
with open(os.path.join(out, 'trunc_in.jsonl'), 'w') as f:
    for t in long:
        f.write(json.dumps({'text': t, 'max_length': random.choice([12, 24, 40]),
                            'stride': random.choice([0, 0, 2, 5, 8])}, ensure_ascii=False) + '\n')
