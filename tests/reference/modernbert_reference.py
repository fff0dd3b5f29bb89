"""Random ModernBERT checkpoints and what transformers computes on them.

Shared by the fixture maker (tests) and the CPU benchmark. Everything is
seeded, so a case is fully described by its parameters.
"""
import json
import os

import numpy as np
import torch
from safetensors.numpy import save_file
from transformers import (ModernBertConfig, ModernBertForMaskedLM,
                          ModernBertForSequenceClassification, ModernBertModel)

HEADS = {
    "model": ModernBertModel,
    "mlm": ModernBertForMaskedLM,
    "cls": ModernBertForSequenceClassification,
}


def make_config(hidden, heads, layers, intermediate, window, global_every, vocab,
                global_theta=160000.0, local_theta=10000.0, num_labels=3,
                classifier_pooling="cls", max_positions=8192):
    return ModernBertConfig(
        vocab_size=vocab, hidden_size=hidden, intermediate_size=intermediate,
        num_hidden_layers=layers, num_attention_heads=heads, local_attention=window,
        global_attn_every_n_layers=global_every, global_rope_theta=global_theta,
        local_rope_theta=local_theta, max_position_embeddings=max_positions,
        classifier_pooling=classifier_pooling, num_labels=num_labels,
        id2label={i: f"label_{i}" for i in range(num_labels)},
        label2id={f"label_{i}": i for i in range(num_labels)},
        pad_token_id=0, bos_token_id=1, eos_token_id=2, cls_token_id=1, sep_token_id=2)


def randomize_(model, seed):
    """Weights large enough that attention is far from uniform and every
    norm's gamma differs from 1, so parity tests see real signal."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1 and "norm" in name:
                p.copy_(1.0 + 0.3 * torch.randn(p.shape, generator=gen))
            elif p.dim() == 1:
                p.copy_(0.5 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(torch.randn(p.shape, generator=gen) / p.shape[-1] ** 0.5)


def rewrite_config_v4(model_dir, global_every):
    """Rewrites a saved config.json in the transformers v4 format:
    global_attn_every_n_layers and the two thetas instead of layer_types and
    rope_parameters."""
    path = os.path.join(model_dir, "config.json")
    with open(path) as f:
        config = json.load(f)
    config.pop("layer_types")
    rope = config.pop("rope_parameters")
    config["global_attn_every_n_layers"] = global_every
    config["global_rope_theta"] = rope["full_attention"]["rope_theta"]
    config["local_rope_theta"] = rope["sliding_attention"]["rope_theta"]
    with open(path, "w") as f:
        json.dump(config, f, indent=2)


def save_checkpoint(model_dir, config, head, seed, dtype="float32", config_format="v5",
                    shard_size=None):
    torch.manual_seed(seed)
    model = HEADS[head](config)
    randomize_(model, seed)
    if dtype == "bfloat16":
        model = model.to(torch.bfloat16)
    kwargs = {"max_shard_size": shard_size} if shard_size else {}
    model.save_pretrained(model_dir, safe_serialization=True, **kwargs)
    if config_format == "v4":
        rewrite_config_v4(model_dir, config.global_attn_every_n_layers)


def load_reference(model_dir, head):
    """The checkpoint as transformers reads it from disk, in float32, sdpa."""
    model = HEADS[head].from_pretrained(model_dir, dtype=torch.float32,
                                        attn_implementation="sdpa")
    return model.eval()


def check_read_back(model, global_every, local_theta):
    """Guards the fixtures themselves: transformers must read back the
    alternation and thetas the case asked for, whichever config format was
    written."""
    expected = ["full_attention" if i % global_every == 0 else "sliding_attention"
                for i in range(model.config.num_hidden_layers)]
    assert model.config.layer_types == expected, (model.config.layer_types, expected)
    thetas = model.config.rope_parameters
    assert thetas["sliding_attention"]["rope_theta"] == local_theta, thetas
    assert thetas["full_attention"]["rope_theta"] == 160000.0, thetas


def padded_batch(sequences):
    length = max(len(s) for s in sequences)
    ids = torch.zeros(len(sequences), length, dtype=torch.long)
    mask = torch.zeros(len(sequences), length, dtype=torch.long)
    for b, s in enumerate(sequences):
        ids[b, :len(s)] = torch.tensor(s)
        mask[b, :len(s)] = 1
    return ids, mask


@torch.inference_mode()
def reference_outputs(model, head, sequences):
    """Per-token final states, both poolings and the head's logits, over the
    real tokens only, packed back to back as the engine returns them."""
    ids, mask = padded_batch(sequences)
    encoder = model if head == "model" else model.model
    hidden = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
    lengths = [len(s) for s in sequences]
    m = mask.unsqueeze(-1).to(hidden.dtype)
    out = {
        "input_ids": np.concatenate([np.asarray(s, np.int32) for s in sequences]),
        "cu_seqlens": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32),
        "last_hidden_state": torch.cat([hidden[b, :n] for b, n in enumerate(lengths)]).numpy(),
        "pooled_cls": hidden[:, 0].contiguous().numpy(),
        "pooled_mean": ((hidden * m).sum(1) / m.sum(1)).numpy(),
    }
    if head == "mlm":
        logits = model(input_ids=ids, attention_mask=mask).logits
        out["logits"] = torch.cat([logits[b, :n] for b, n in enumerate(lengths)]).numpy()
    elif head == "cls":
        out["logits"] = model(input_ids=ids, attention_mask=mask).logits.numpy()
    return out


def save_expected(path, outputs):
    save_file({k: np.ascontiguousarray(v) for k, v in outputs.items()}, path)
