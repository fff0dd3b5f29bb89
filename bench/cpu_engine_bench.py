"""mbserve's CPU engine against transformers on torch CPU, side by side.

Same random ModernBERT-base-shaped weights (22 layers, hidden 768, fp32),
same inputs, same thread count. Workloads follow the ModernBERT paper
(random ids in [100, 16000)):
  fixed-512      every sequence 512 tokens
  variable-short lengths ~ N(256, 64) clamped to [32, 512]
  variable-long  lengths ~ N(4096, 1024) clamped to [32, 8192]
mbserve packs sequences without padding into batches of at most
--max-batch-tokens real tokens; transformers runs them the way users do:
padded batches of 32 in input order, sdpa attention, torch.inference_mode.
Throughput counts real (non-padding) tokens only, as the paper does.

  .venv/bin/python bench/cpu_engine_bench.py [--threads 2] [--build-dir build]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from safetensors.numpy import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
from modernbert_reference import load_reference, make_config, padded_batch, save_checkpoint  # noqa: E402

WORKLOADS = {
    # name: (mean, std, low, high)
    "fixed-512": (512, 0, 512, 512),
    "variable-short": (256, 64, 32, 512),
    "variable-long": (4096, 1024, 32, 8192),
}


def make_lengths(name, count):
    mean, std, low, high = WORKLOADS[name]
    gen = torch.Generator().manual_seed(42)
    return torch.normal(float(mean), float(std), (count,), generator=gen).int().clamp(low, high).tolist()


def make_base_model(model_dir):
    if os.path.exists(os.path.join(model_dir, "model.safetensors")):
        return
    config = make_config(hidden=768, heads=12, layers=22, intermediate=1152, window=128,
                         global_every=3, vocab=50368)
    save_checkpoint(model_dir, config, "model", seed=0)


def run_mbserve(args, model_dir, sequences, workdir):
    inputs = os.path.join(workdir, "inputs.safetensors")
    pooled_path = os.path.join(workdir, "pooled.f32")
    lengths = [len(s) for s in sequences]
    save_file({"input_ids": np.concatenate(sequences).astype(np.int32),
               "cu_seqlens": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)}, inputs)
    binary = os.path.join(args.build_dir, "bench", "engine_bench")
    out = subprocess.run([binary, "--model", model_dir, "--inputs", inputs,
                          "--threads", str(args.threads),
                          "--max-batch-tokens", str(args.max_batch_tokens),
                          "--pooled-out", pooled_path],
                         check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    pooled = np.fromfile(pooled_path, dtype=np.float32).reshape(len(sequences), -1)
    return result, pooled


@torch.inference_mode()
def run_transformers(model, sequences, batch_size):
    pooled = []
    model(input_ids=torch.tensor([sequences[0][:64]]))  # warm-up
    start = time.perf_counter()
    for i in range(0, len(sequences), batch_size):
        ids, mask = padded_batch(sequences[i:i + batch_size])
        hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).to(hidden.dtype)
        pooled.append(((hidden * m).sum(1) / m.sum(1)).numpy())
    seconds = time.perf_counter() - start
    return seconds, np.concatenate(pooled)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--model-dir", default=os.path.join(tempfile.gettempdir(), "mbserve-bench-base"))
    parser.add_argument("--max-batch-tokens", type=int, default=16384)
    parser.add_argument("--batch-size", type=int, default=32, help="transformers' padded batch size")
    parser.add_argument("--sequences", default="fixed-512=64,variable-short=128,variable-long=4",
                        help="sequences per workload, name=count[,...]")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    make_base_model(args.model_dir)
    model = load_reference(args.model_dir, "model")

    rows = []
    for item in args.sequences.split(","):
        name, count = item.split("=")
        lengths = make_lengths(name, int(count))
        rng = np.random.default_rng(0)
        sequences = [rng.integers(100, 16000, n).tolist() for n in lengths]
        tokens = sum(lengths)
        with tempfile.TemporaryDirectory() as workdir:
            ours, ours_pooled = run_mbserve(args, args.model_dir, sequences, workdir)
        seconds, ref_pooled = run_transformers(model, sequences, args.batch_size)
        ref_tps = tokens / seconds
        rows.append((name, len(sequences), tokens, ours["tokens_per_second"], ref_tps,
                     ours["tokens_per_second"] / ref_tps, float(np.abs(ours_pooled - ref_pooled).max())))
        print(f"{name}: done", file=sys.stderr, flush=True)

    print(f"\nModernBERT-base shape (22 layers, hidden 768, fp32), {args.threads} threads, "
          f"mbserve max_batch_tokens {args.max_batch_tokens}, transformers padded batches of "
          f"{args.batch_size} (sdpa), torch {torch.__version__}\n")
    print("| workload | sequences | real tokens | mbserve tok/s | transformers tok/s | ratio | max |pooled diff| |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, n, tokens, ours, ref, ratio, diff in rows:
        print(f"| {name} | {n} | {tokens} | {ours:.0f} | {ref:.0f} | {ratio:.2f}x | {diff:.1e} |")


if __name__ == "__main__":
    main()
