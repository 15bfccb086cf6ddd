"""Writes tokenizer.json variants (OUT/conf_NAME.json) built from the roberta-tiny and
xlmr-tiny fixtures, each exercising other components."""
import json, copy, os, sys
OUT = sys.argv[1]
FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../test/fixtures/models')
rob = json.load(open(os.path.join(FIX, 'roberta-tiny/tokenizer.json')))
xl = json.load(open(os.path.join(FIX, 'xlmr-tiny/tokenizer.json')))
def save(name, t): json.dump(t, open(os.path.join(OUT, f'conf_{name}.json'), 'w'), ensure_ascii=False)
LLAMA3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"

t = copy.deepcopy(rob); t['pre_tokenizer']['add_prefix_space'] = True; t['post_processor']['add_prefix_space'] = True; save('rob_prefix', t)
t = copy.deepcopy(rob); t['post_processor'] = {"type": "Sequence", "processors": [{"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}, {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": False, "add_prefix_space": True}]}
t['pre_tokenizer']['add_prefix_space'] = True; save('rob_seqpp', t)
t = copy.deepcopy(rob); t['pre_tokenizer'] = {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": LLAMA3}, "behavior": "Isolated", "invert": False}, {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]}
t['post_processor'] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True}; save('rob_llama3', t)
t = copy.deepcopy(rob); t['normalizer'] = {"type": "Sequence", "normalizers": [{"type": "NFKD"}, {"type": "StripAccents"}, {"type": "Lowercase"}, {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "}, {"type": "Strip", "strip_left": True, "strip_right": True}]}
t['model']['ignore_merges'] = True; save('rob_norm', t)

t = copy.deepcopy(xl); t['pre_tokenizer']['prepend_scheme'] = 'first'; t['decoder']['prepend_scheme'] = 'first'; save('xl_first', t)
t = copy.deepcopy(xl); t['pre_tokenizer']['prepend_scheme'] = 'never'; t['decoder']['prepend_scheme'] = 'never'; t['pre_tokenizer']['split'] = False; save('xl_never', t)
t = copy.deepcopy(xl); t['normalizer'] = {"type": "Sequence", "normalizers": [{"type": "Nmt"}, {"type": "NFC"}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": "\u2581"}, {"type": "Prepend", "prepend": "\u2581"}]}
t['pre_tokenizer'] = {"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, {"type": "Punctuation", "behavior": "Isolated"}, {"type": "Digits", "individual_digits": True}, {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}]}
save('xl_pretok', t)
t = copy.deepcopy(xl); t['normalizer'] = {"type": "NFD"}
t['pre_tokenizer'] = {"type": "Sequence", "pretokenizers": [{"type": "Whitespace"}, {"type": "Split", "pattern": {"String": "-"}, "behavior": "MergedWithPrevious", "invert": False}, {"type": "CharDelimiterSplit", "delimiter": "a"}, {"type": "Digits", "individual_digits": False}, {"type": "Punctuation", "behavior": "Contiguous"}]}
save('xl_pretok2', t)
# Unigram with byte fallback: drop all non-ASCII single chars from the vocab, add byte tokens.
t = copy.deepcopy(xl)
voc = [[p, s] for p, s in t['model']['vocab'] if all(ord(c) < 128 for c in p.replace('\u2581', '')) or p in ('\u2581',)]
unk_piece = '<unk>'
voc += [[f'<0x{b:02X}>', -12.0] for b in range(256)]
t['model']['vocab'] = voc; t['model']['unk_id'] = [p for p, s in voc].index(unk_piece); t['model']['byte_fallback'] = True
t['decoder'] = {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
save('xl_bytefb', t)
# BPE over raw text with byte fallback + Metaspace, SentencePiece-BPE style (Llama 2 like).
t = copy.deepcopy(rob)
vocab = dict(t['model']['vocab'])
for b in range(256):
    vocab.setdefault(f'<0x{b:02X}>', len(vocab))
vocab.setdefault('\u2581', len(vocab))
t['model']['vocab'] = vocab; t['model']['byte_fallback'] = True; t['model']['unk_token'] = '<unk>'; t['model']['fuse_unk'] = True
t['normalizer'] = {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"}, {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]}
t['pre_tokenizer'] = None
t['post_processor'] = {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}}}
t['decoder'] = {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
save('bpe_bytefb', t)
# BPE with unk (not fused), continuing prefix & suffix on a Whitespace pre-tokenizer.
t = copy.deepcopy(rob)
t['model']['unk_token'] = '<unk>'; t['model']['fuse_unk'] = False
t['pre_tokenizer'] = {"type": "Whitespace"}; t['post_processor'] = None
t['decoder'] = {"type": "BPEDecoder", "suffix": "</w>"}
save('bpe_unk', t)

json.dump(rob, open(os.path.join(OUT, 'conf_roberta.json'), 'w'), ensure_ascii=False)
json.dump(xl, open(os.path.join(OUT, 'conf_xlmr.json'), 'w'), ensure_ascii=False)
# The WordPiece fixtures as they are (their components are checked the same way).
for name in ['bert-tiny-uncased', 'bert-tiny-pos', 'distilbert-tiny']:
    path = os.path.join(FIX, name, 'tokenizer.json')
    if os.path.exists(path):
        json.dump(json.load(open(path)), open(os.path.join(OUT, f'conf_{name}.json'), 'w'), ensure_ascii=False)
