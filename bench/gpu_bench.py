#!/usr/bin/env python3
"""mbserve's CUDA engine beside transformers on torch CUDA, same weights, same inputs.

For ModernBERT-base- and -large-shaped models with random weights (saved as
bf16 safetensors), on the paper's four workloads (arXiv 2412.13663, Table 10:
random ids in [100, 16000); fixed 512, variable normal(256, 64) clamped to
[32, 512], fixed 8192, variable normal(4096, 1024) clamped to [32, 8192]),
subsampled to fit a short GPU session (the counts are printed). Measures
real (non-padding) tokens per second of:
  - mbserve: bench/cuda_bench (Engine::Run, bf16, packed varlen batches,
    mean-pooled normalized vectors back on the host; and "model only":
    ModernBert::Encode + PoolAll on the same batches, without Engine::Run's
    host work);
  - transformers: ModernBertModel in bf16 with sdpa attention, batches of 512
    (short) or 32 (long) sequences padded to the batch's longest, masked mean
    pooling and normalization on the GPU.
Reports MFU against --peak-tflops (790: an H200's measured dense bf16 rate)
from the model's FLOP count (flops() below), and the cosine of mbserve's
first pooled vectors against transformers (bf16 and fp32).

  usage: bench/gpu_bench.py --binary build-gpu/bench/cuda_bench --work DIR --out DIR
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import time

import numpy as np
import torch

SHAPES = {
    "base": dict(hidden_size=768, intermediate_size=1152, num_hidden_layers=22,
                 num_attention_heads=12),
    "large": dict(hidden_size=1024, intermediate_size=2624, num_hidden_layers=28,
                  num_attention_heads=16),
}
WINDOW_HALF = 64
GLOBAL_EVERY = 3
PAD_ID = 50283


def make_model(shape, directory):
    """A random-weight ModernBertModel checkpoint in bf16 safetensors."""
    from transformers import ModernBertConfig, ModernBertModel
    if os.path.exists(os.path.join(directory, "config.json")):
        return
    torch.manual_seed(0)
    config = ModernBertConfig(vocab_size=50368, max_position_embeddings=8192,
                              **SHAPES[shape])
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
        model = ModernBertModel(config)
    model.to(torch.bfloat16).save_pretrained(directory)  # safetensors by default
    del model
    torch.cuda.empty_cache()


def make_workload(name, count, seed=42):
    """Lengths and ids as in the paper's efficiency datasets."""
    torch.manual_seed(seed)
    if name == "fixed512":
        lengths = torch.full((count,), 512, dtype=torch.int32)
    elif name == "var512":
        lengths = torch.normal(256.0, 64.0, (count,)).int().clamp(32, 512)
    elif name == "fixed8192":
        lengths = torch.full((count,), 8192, dtype=torch.int32)
    else:
        lengths = torch.normal(4096.0, 1024.0, (count,)).int().clamp(32, 8192)
    generator = torch.Generator().manual_seed(seed + 1)
    return [torch.randint(100, 16000, (int(n),), dtype=torch.int32, generator=generator)
            for n in lengths]


def write_workload(sequences, path):
    with open(path, "wb") as f:
        f.write(struct.pack("<i", len(sequences)))
        f.write(np.array([len(s) for s in sequences], dtype="<i4").tobytes())
        for s in sequences:
            f.write(s.numpy().astype("<i4").tobytes())


def flops(sequences, shape):
    """Model FLOPs of one pass, no head: per token and layer 2 (4 H^2 + 3 H I)
    for the GEMMs (Wqkv 3H^2, Wo H^2, Wi 2HI, Wo_mlp HI); per layer 4 H times
    the (query, key) pairs attended (QK^T and PV), every pair on global
    layers, the pairs within the window on local ones."""
    s = SHAPES[shape]
    h, i, layers = s["hidden_size"], s["intermediate_size"], s["num_hidden_layers"]
    n_global = len(range(0, layers, GLOBAL_EVERY))
    n_local = layers - n_global
    total = 0.0
    for seq in sequences:
        n = len(seq)
        q = np.arange(n)
        local_pairs = float(np.sum(np.minimum(n - 1, q + WINDOW_HALF) -
                                   np.maximum(0, q - WINDOW_HALF) + 1))
        total += n * layers * 2.0 * (4 * h * h + 3 * h * i)
        total += 4.0 * h * (n_global * float(n) * n + n_local * local_pairs)
    return total


def run_mbserve(binary, model_dir, workload_path, batch_tokens, dump_path, dump_first):
    cmd = [binary, "--model", model_dir, "--workload", workload_path, "--dtype", "bf16",
           "--batch-tokens", str(batch_tokens), "--dump-first", str(dump_first),
           "--dump", dump_path]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"cuda_bench failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def hf_pooled(model, batch, device):
    """Masked mean pooling + normalization of one padded batch."""
    longest = max(len(s) for s in batch)
    ids = torch.full((len(batch), longest), PAD_ID, dtype=torch.long)
    mask = torch.zeros((len(batch), longest), dtype=torch.long)
    for r, s in enumerate(batch):
        ids[r, :len(s)] = s
        mask[r, :len(s)] = 1
    ids, mask = ids.to(device, non_blocking=True), mask.to(device, non_blocking=True)
    hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
    m = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * m).sum(1) / m.sum(1)
    return torch.nn.functional.normalize(pooled.float(), dim=-1)


def load_hf(model_dir, dtype):
    from transformers import ModernBertModel
    try:
        model = ModernBertModel.from_pretrained(model_dir, dtype=dtype, attn_implementation="sdpa")
    except TypeError:
        model = ModernBertModel.from_pretrained(model_dir, torch_dtype=dtype,
                                                attn_implementation="sdpa")
    return model.cuda().eval()


def run_hf(model, sequences, batch_size):
    with torch.inference_mode():
        hf_pooled(model, sequences[:batch_size], "cuda")  # warm-up
        torch.cuda.synchronize()
        start = time.perf_counter()
        first = None
        for b in range(0, len(sequences), batch_size):
            out = hf_pooled(model, sequences[b:b + batch_size], "cuda")
            if first is None:
                first = out
        first = first.cpu()
        torch.cuda.synchronize()
        seconds = time.perf_counter() - start
    tokens = sum(len(s) for s in sequences)
    return {"tokens": tokens, "seconds": seconds, "tokens_per_second": tokens / seconds}, first


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--work", required=True, help="folder for checkpoints and workloads")
    parser.add_argument("--out", required=True)
    parser.add_argument("--shapes", default="base,large")
    parser.add_argument("--workloads", default="fixed512,var512,fixed8192,var8192")
    parser.add_argument("--short-sequences", type=int, default=2048,
                        help="sequences per 512 workload (the paper: 8192)")
    parser.add_argument("--long-sequences", type=int, default=64,
                        help="sequences per 8192 workload (the paper: 8192)")
    parser.add_argument("--batch-tokens", type=int, default=131072)
    parser.add_argument("--peak-tflops", type=float, default=790.0)
    parser.add_argument("--parity-sequences", type=int, default=8)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    print(f"GPU: {torch.cuda.get_device_name(0)}, torch {torch.__version__}", flush=True)

    rows = []
    for shape in args.shapes.split(","):
        model_dir = os.path.join(args.work, f"modernbert-{shape}-random")
        make_model(shape, model_dir)
        hf_bf16 = load_hf(model_dir, torch.bfloat16)
        hf_fp32 = load_hf(model_dir, torch.float32)
        for workload in args.workloads.split(","):
            short = workload.endswith("512")
            count = args.short_sequences if short else args.long_sequences
            sequences = make_workload(workload, count)
            path = os.path.join(args.work, f"{workload}-{count}.bin")
            write_workload(sequences, path)
            dump = os.path.join(args.work, f"{shape}-{workload}-pooled.f32")
            k = min(args.parity_sequences, count)
            ours = run_mbserve(args.binary, model_dir, path, args.batch_tokens, dump, k)
            theirs, hf_first = run_hf(hf_bf16, sequences, 512 if short else 32)
            # Parity of the first k pooled vectors against transformers in
            # bf16 and in fp32 (the bf16 weights upcast exactly).
            ours_first = torch.from_numpy(np.fromfile(dump, dtype="<f4").reshape(k, -1))
            cos_bf16 = torch.nn.functional.cosine_similarity(ours_first, hf_first[:k]).min()
            with torch.inference_mode():
                ref = hf_pooled(hf_fp32, sequences[:k], "cuda").cpu()
            cos_fp32 = torch.nn.functional.cosine_similarity(ours_first, ref).min()
            work = flops(sequences, shape)
            row = {
                "model": shape, "workload": workload, "sequences": count,
                "tokens": ours["tokens"],
                "mbserve_tokens_per_second": ours["tokens_per_second"],
                "mbserve_model_only_tokens_per_second": ours["model_tokens_per_second"],
                "transformers_tokens_per_second": theirs["tokens_per_second"],
                "speedup": ours["tokens_per_second"] / theirs["tokens_per_second"],
                "mbserve_mfu": work / ours["seconds"] / (args.peak_tflops * 1e12),
                "transformers_mfu": work / theirs["seconds"] / (args.peak_tflops * 1e12),
                "gflop": work / 1e9,
                "cos_vs_transformers_bf16": float(cos_bf16),
                "cos_vs_transformers_fp32": float(cos_fp32),
                "mbserve_batches": ours["batches"],
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
        del hf_bf16, hf_fp32
        torch.cuda.empty_cache()

    lines = [
        f"GPU: {torch.cuda.get_device_name(0)}; MFU against {args.peak_tflops:.0f} TFLOP/s dense "
        "bf16; transformers " + __import__("transformers").__version__ + f", torch {torch.__version__}",
        "",
        "| model | workload | sequences | tokens | mbserve tok/s | (model only) "
        "| transformers tok/s | speedup | mbserve MFU | transformers MFU | pooled cos vs HF fp32 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['workload']} | {r['sequences']} | {r['tokens']} "
            f"| {r['mbserve_tokens_per_second']:,.0f} "
            f"| {r['mbserve_model_only_tokens_per_second']:,.0f} "
            f"| {r['transformers_tokens_per_second']:,.0f} "
            f"| {r['speedup']:.2f}x | {100 * r['mbserve_mfu']:.1f}% "
            f"| {100 * r['transformers_mfu']:.1f}% | {r['cos_vs_transformers_fp32']:.5f} |")
    target = [r for r in rows if r["model"] == "base" and r["workload"] == "var512"]
    if target:
        r = target[0]
        ok = r["mbserve_tokens_per_second"] >= 1.5e6 and r["speedup"] >= 3.0
        lines += ["", f"Target (base var512 >= 1.5M tok/s and >= 3x transformers): "
                      f"{'MET' if ok else 'NOT MET'} ({r['mbserve_tokens_per_second']:,.0f} tok/s, "
                      f"{r['speedup']:.2f}x)"]
    table = "\n".join(lines)
    print(table)
    with open(os.path.join(args.out, "bench.md"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(args.out, "bench.json"), "w") as f:
        json.dump(rows, f, indent=1)
    # Parity is part of the evidence: a pooled vector far from transformers
    # means the benchmark measured a wrong model.
    bad = [r for r in rows if r["cos_vs_transformers_fp32"] < 0.999]
    if bad:
        print(f"gpu_bench: {len(bad)} workloads with pooled cosine < 0.999 against transformers",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
