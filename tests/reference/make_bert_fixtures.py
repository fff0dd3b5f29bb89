"""Makes the BERT parity fixtures: random BertModel and
BertForSequenceClassification checkpoints of several small shapes (float32
and bfloat16 safetensors, with and without the "bert." prefix, two or three
token types) and what transformers computes on them, with token type ids
that mark sentence pairs.

  python make_bert_fixtures.py --out build/fixtures/bert

ctest runs it before the tests that read the set (tests/engine/CMakeLists.txt).
"""
import argparse
import json
import os
import random

import torch
from transformers import BertConfig, BertForSequenceClassification, BertModel

from modernbert_reference import padded_batch, save_expected

HEADS = {"model": BertModel, "cls": BertForSequenceClassification}

# name: (hidden, heads, layers, intermediate, head, dtype, type_vocab, max_positions,
#        num_labels, lengths)
CASES = [
    ("h32_a2_l1_model_f32", 32, 2, 1, 64, "model", "float32", 2, 64, 0, [1, 2, 5, 17, 64]),
    ("h64_a4_l3_cls_f32", 64, 4, 3, 256, "cls", "float32", 2, 512, 3, [1, 3, 9, 40, 130, 512]),
    ("h96_a3_l2_model_bf16", 96, 3, 2, 384, "model", "bfloat16", 2, 128, 0, [2, 7, 31, 128]),
    ("h128_a8_l4_cls1_bf16", 128, 8, 4, 512, "cls", "bfloat16", 2, 256, 1, [4, 12, 77, 200]),
    ("h48_a2_l2_model_f32_types3", 48, 2, 2, 96, "model", "float32", 3, 96, 0, [1, 6, 50, 96]),
]


def randomize_(model, seed):
    """Weights large enough that attention is far from uniform and every
    LayerNorm's gamma and beta differ from 1 and 0, so parity sees signal."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("LayerNorm.weight"):
                p.copy_(1.0 + 0.3 * torch.randn(p.shape, generator=gen))
            elif p.dim() == 1:
                p.copy_(0.5 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(torch.randn(p.shape, generator=gen) / p.shape[-1] ** 0.5)


def token_types(length, type_vocab, rng):
    """Pairs: segment A of type 0, then segment B of type 1 (as BERT's
    tokenizer marks them); with more types, a random type per token."""
    if type_vocab > 2:
        return [rng.randrange(type_vocab) for _ in range(length)]
    split = rng.randint(1, length) if length > 1 and rng.random() < 0.7 else length
    return [0] * split + [1] * (length - split)


@torch.inference_mode()
def reference_outputs(model, head, sequences, types):
    ids, mask = padded_batch(sequences)
    type_ids, _ = padded_batch(types)
    encoder = model if head == "model" else model.bert
    hidden = encoder(input_ids=ids, token_type_ids=type_ids, attention_mask=mask).last_hidden_state
    lengths = [len(s) for s in sequences]
    m = mask.unsqueeze(-1).to(hidden.dtype)
    out = {
        "input_ids": torch.cat([torch.tensor(s, dtype=torch.int32) for s in sequences]).numpy(),
        "token_type_ids": torch.cat([torch.tensor(t, dtype=torch.int32) for t in types]).numpy(),
        "cu_seqlens": torch.tensor([0] + lengths).cumsum(0).to(torch.int32).numpy(),
        "last_hidden_state": torch.cat([hidden[b, :n] for b, n in enumerate(lengths)]).numpy(),
        "pooled_cls": hidden[:, 0].contiguous().numpy(),
        "pooled_mean": ((hidden * m).sum(1) / m.sum(1)).numpy(),
    }
    if head == "cls":
        out["logits"] = model(input_ids=ids, token_type_ids=type_ids,
                              attention_mask=mask).logits.numpy()
    return out


def make_case(out_dir, case, seed):
    (name, hidden, heads, layers, intermediate, head, dtype, type_vocab, max_positions, num_labels,
     lengths) = case
    case_dir = os.path.join(out_dir, name)
    os.makedirs(case_dir, exist_ok=True)
    vocab = 512
    labels = {"num_labels": num_labels,
              "id2label": {i: f"label_{i}" for i in range(num_labels)},
              "label2id": {f"label_{i}": i for i in range(num_labels)}} if head == "cls" else {}
    config = BertConfig(vocab_size=vocab, hidden_size=hidden, num_hidden_layers=layers,
                        num_attention_heads=heads, intermediate_size=intermediate,
                        hidden_act="gelu", max_position_embeddings=max_positions,
                        type_vocab_size=type_vocab, layer_norm_eps=1e-12, **labels)
    torch.manual_seed(seed)
    model = HEADS[head](config)
    randomize_(model, seed)
    if dtype == "bfloat16":
        model = model.to(torch.bfloat16)
    model.save_pretrained(case_dir, safe_serialization=True)
    # The checkpoint as transformers reads it from disk, in float32.
    model = HEADS[head].from_pretrained(case_dir, dtype=torch.float32).eval()
    rng = random.Random(seed)
    sequences = [[rng.randrange(vocab) for _ in range(n)] for n in lengths]
    types = [token_types(n, type_vocab, rng) for n in lengths]
    save_expected(os.path.join(case_dir, "expected.safetensors"),
                  reference_outputs(model, head, sequences, types))
    return {"name": name, "head": head, "dtype": dtype, "lengths": lengths}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = [make_case(args.out, case, seed) for seed, case in enumerate(CASES)]
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump({"cases": manifest}, f, indent=1)
    print(f"made {len(manifest)} cases in {args.out}")


if __name__ == "__main__":
    main()
