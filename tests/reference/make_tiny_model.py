"""Makes mbserve's built-in tiny model: a small random ModernBERT checkpoint
folder laid out exactly as users download one from the Hugging Face hub.

  python tests/reference/make_tiny_model.py --out models/mbserve-tiny [--head cls]

Contents: config.json (transformers v5 format, plus the "_name_or_path"
transformers 4 wrote, which names the model "mbserve-tiny" wherever its
folder is mounted), model.safetensors (fp32),
tokenizer.json (a byte-level BPE trained here with ModernBERT's pipeline and
added tokens), and the sentence-transformers files (modules.json,
1_Pooling/config.json with mean pooling, config_sentence_transformers.json
with "query" and "document" prompts, sentence_bert_config.json). The default
head is sequence classification (labels negative/neutral/positive), which
serves both Embed and Classify; --head model or mlm make the other kinds.
The weights are random: the vectors mean nothing, the plumbing is real.
Every file is world-readable (0644; safetensors writes 0600), so a server
running as another user, as the container images do, can load it.
"""
import argparse
import json
import os

from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

from modernbert_reference import make_config, save_checkpoint

LABELS = ["negative", "neutral", "positive"]
PROMPTS = {"query": "search_query: ", "document": "search_document: "}


WORDS = ("the quick brown fox jumps over a lazy dog while mbserve packs sequences without padding "
         "into varlen batches for ModernBERT encoders serving embeddings and classification of "
         "reviews queries documents search results with sliding window attention on GPU and CPU "
         "great terrible fine okay excellent poor service product price delivery support team "
         "I you we they it is was are were be been have has had do does did not no yes can will "
         "one two three 2024 3.14 100% e-mail https://example.com user@example.com (note) [tag]").split()


def training_corpus(sentences=4000, seed=11):
    """A small deterministic corpus: enough for a 2000-token BPE in a second."""
    import random
    rng = random.Random(seed)
    out = []
    for _ in range(sentences):
        words = [rng.choice(WORDS) for _ in range(rng.randint(4, 16))]
        out.append(" ".join(words).capitalize() + rng.choice([".", "!", "?", "..."]))
    return out


def train_tokenizer(vocab_size):
    """ModernBERT's tokenizer pipeline (NFC, byte-level BPE, [CLS] ... [SEP]) on a small vocabulary."""
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size,
                                  special_tokens=["|||IP_ADDRESS|||", "<|padding|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(training_corpus(), trainer=trainer)
    # Runs of 2 to 24 spaces are added (not special) tokens, as in ModernBERT.
    tok.add_tokens([AddedToken(" " * n, normalized=True) for n in range(24, 1, -1)])
    tok.add_special_tokens([AddedToken(t, special=True) for t in
                            ["|||EMAIL_ADDRESS|||", "|||PHONE_NUMBER|||", "<|endoftext|>",
                             "[UNK]", "[CLS]", "[SEP]", "[PAD]"]])
    tok.add_special_tokens([AddedToken("[MASK]", special=True, lstrip=True)])
    tok.add_special_tokens([AddedToken(f"[unused{i}]", special=True) for i in range(8)])
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    return tok


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(value, f, indent=2)


def name_model(model_dir, name):
    path = os.path.join(model_dir, "config.json")
    with open(path) as f:
        config = json.load(f)
    with open(path, "w") as f:
        json.dump({"_name_or_path": name, **config}, f, indent=2)


def make_world_readable(model_dir):
    for root, dirs, files in os.walk(model_dir):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--head", choices=["cls", "model", "mlm"], default="cls")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    tok = train_tokenizer(vocab_size=2000)
    tok.save(os.path.join(args.out, "tokenizer.json"))
    # ModernBERT pads its embedding table to a multiple of 64.
    vocab = (tok.get_vocab_size() + 63) // 64 * 64
    config = make_config(hidden=64, heads=4, layers=3, intermediate=96, window=128,
                         global_every=3, vocab=vocab, num_labels=len(LABELS),
                         classifier_pooling="mean")
    config.id2label = dict(enumerate(LABELS))
    config.label2id = {label: i for i, label in enumerate(LABELS)}
    for field, token in [("pad_token_id", "[PAD]"), ("cls_token_id", "[CLS]"),
                         ("bos_token_id", "[CLS]"), ("sep_token_id", "[SEP]"), ("eos_token_id", "[SEP]")]:
        setattr(config, field, tok.token_to_id(token))
    save_checkpoint(args.out, config, args.head, seed=7)
    name_model(args.out, "mbserve-tiny")

    write_json(os.path.join(args.out, "modules.json"), [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    write_json(os.path.join(args.out, "1_Pooling", "config.json"), {
        "word_embedding_dimension": 64, "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True})
    write_json(os.path.join(args.out, "config_sentence_transformers.json"),
               {"prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"})
    write_json(os.path.join(args.out, "sentence_bert_config.json"),
               {"max_seq_length": 8192, "do_lower_case": False})
    make_world_readable(args.out)
    print(f"tiny ModernBERT ({args.head} head, vocab {vocab}) written to {args.out}")


if __name__ == "__main__":
    main()
