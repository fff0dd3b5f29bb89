"""Embedding throughput on CPU: mbserve's engine against transformers (two
batching strategies) and ONNX Runtime, on the same weights and inputs.

Checkpoints (bench/bench_models.py, --model):
  modernbert  the embedding model in ModernBERT-base's shape (--shape), random
              float32 weights, mean pooling
  minilm      the real all-MiniLM-L6-v2 (BERT), mean pooling; it has 512
              positions, so variable-long does not apply to it
Workloads follow the ModernBERT paper (random ids in [100, 16000), lengths
seeded):
  fixed-512      every sequence 512 tokens
  variable-short lengths ~ N(256, 64) clamped to [32, 512]
  variable-long  lengths ~ N(4096, 1024) clamped to [32, 8192]
Systems (bench/peers.py), each in its own process under --memory-gb:
  mbserve              packs sequences without padding, FIFO, into batches of
                       at most --max-batch-tokens real tokens (bench/engine_bench)
  mbserve-bfloat16     the same with --dtype bfloat16, on fixed-512 only;
                       "unsupported" where the CPU has no bfloat16 kernels
  transformers         padded batches of --batch-size in input order, sdpa,
                       torch.inference_mode
  transformers-sorted  sentence-transformers' batching: sorted by length
  onnxruntime          the exported model, padded batches of --batch-size
Throughput counts real (non-padding) tokens only, as the paper does. Each
workload runs --runs times with the systems interleaved; the summary gives
the median and range, and every system's pooled vectors are checked against
transformers'.

  .venv/bin/python bench/cpu_engine_bench.py [--model minilm] [--threads 2] [--runs 3]
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_models  # noqa: E402
import bench_record  # noqa: E402
import peers  # noqa: E402
import render_benchmarks  # noqa: E402

WORKLOADS = {
    # name: (mean, std, low, high)
    "fixed-512": (512, 0, 512, 512),
    "variable-short": (256, 64, 32, 512),
    "variable-long": (4096, 1024, 32, 8192),
}
# transformers first: its outputs are what the others are checked against.
SYSTEMS = ("transformers", "mbserve", "mbserve-bfloat16", "transformers-sorted", "onnxruntime")
# Positions each --model has: a workload with longer sequences is refused.
MAX_LENGTH = {"modernbert": 8192, "minilm": 512}
BF16_WORKLOADS = ("fixed-512",)


def make_lengths(name, count):
    mean, std, low, high = WORKLOADS[name]
    gen = torch.Generator().manual_seed(42)
    return torch.normal(float(mean), float(std), (count,), generator=gen).int().clamp(low, high).tolist()


def run_system(args, system, model_dir, onnx_path, inputs, outputs):
    spec = {"action": "throughput", "task": "embed", "model": model_dir, "onnx": onnx_path,
            "inputs": inputs, "outputs": outputs, "threads": args.threads,
            "batch_size": args.batch_size, "warmup": 1, "repeats": 1,
            "max_batch_tokens": args.max_batch_tokens}
    if system.startswith("mbserve"):
        spec["dtype"] = "bfloat16" if system == "mbserve-bfloat16" else "float32"
        return peers.run_mbserve(args.build_dir, spec, args.memory_gb, args.timeout)
    spec["peer"] = "onnxruntime" if system == "onnxruntime" else "transformers"
    spec["order"] = "sorted" if system == "transformers-sorted" else "input"
    return peers.run_peer(spec, args.memory_gb, args.timeout)


def summarize(record, workloads):
    """Per workload and system: tokens/s over the runs, and mbserve's
    float32 rate over the system's in the same run."""
    summary = []
    for name, (sequences, tokens) in workloads.items():
        runs = [r for r in record["runs"] if r["workload"] == name]
        mbserve = {r["run"]: r["tokens_per_second"] for r in runs
                   if r["system"] == "mbserve" and r["status"] == "ok"}
        for system in SYSTEMS:
            mine = [r for r in runs if r["system"] == system]
            if not mine:
                continue
            ok = [r for r in mine if r["status"] == "ok"]
            diffs = [r["max_abs_diff_vs_transformers"] for r in ok
                     if r["max_abs_diff_vs_transformers"] is not None]
            summary.append({
                "workload": name, "sequences": sequences, "tokens": tokens, "system": system,
                "tokens_per_second": bench_record.spread([r["tokens_per_second"] for r in ok]),
                "mbserve_over_system": bench_record.spread(
                    [mbserve[r["run"]] / r["tokens_per_second"] for r in ok if r["run"] in mbserve]),
                "max_abs_diff_vs_transformers": max(diffs, default=None),
                "failures": sorted({r["status"] for r in mine if r["status"] != "ok"})})
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=sorted(MAX_LENGTH), default="modernbert")
    parser.add_argument("--shape", choices=sorted(bench_models.SHAPES), default="base",
                        help="the modernbert checkpoint's shape")
    parser.add_argument("--batch-size", type=int, default=32, help="the peers' batch size")
    parser.add_argument("--sequences", default=None,
                        help="sequences per workload, name=count[,...] (default fixed-512=64,"
                             "variable-short=128, plus variable-long=4 for modernbert)")
    bench_record.add_peer_arguments(parser, "cpu-throughput")
    args = parser.parse_args()

    if args.sequences is None:
        args.sequences = ("fixed-512=64,variable-short=128,variable-long=4"
                          if args.model == "modernbert" else "fixed-512=64,variable-short=128")
    workloads = {}
    for item in args.sequences.split(","):
        name, count = item.split("=")
        if WORKLOADS[name][3] > MAX_LENGTH[args.model]:
            parser.error(f"{name} has sequences of up to {WORKLOADS[name][3]} tokens; "
                         f"{args.model} has {MAX_LENGTH[args.model]} positions")
        lengths = make_lengths(name, int(count))
        workloads[name] = (len(lengths), sum(lengths))
    record = bench_record.start_record(args.name, {
        "kind": "throughput", "model": args.model, "shape": args.shape, "threads": args.threads,
        "runs": args.runs, "sequences": args.sequences, "max_batch_tokens": args.max_batch_tokens,
        "batch_size": args.batch_size, "memory_gb_per_system": args.memory_gb})
    if args.model == "minilm":
        model_dir = bench_models.minilm_dir()
        onnx_dir = f"{args.model_dir}-minilm-embed-onnx"
    else:
        model_dir = bench_models.make_checkpoint(f"{args.model_dir}-{args.shape}-embed",
                                                 args.shape, "embed")
        onnx_dir = model_dir + "-onnx"
    onnx_path = bench_models.onnx_export(model_dir, "embed", args.memory_gb, onnx_dir)

    with tempfile.TemporaryDirectory() as workdir:
        for run in range(1, args.runs + 1):
            for name, (count, _) in workloads.items():
                inputs = os.path.join(workdir, f"{name}.safetensors")
                peers.save_inputs(inputs, bench_models.random_sequences(make_lengths(name, count)))
                reference = None
                for system in SYSTEMS:
                    if system == "mbserve-bfloat16" and name not in BF16_WORKLOADS:
                        continue
                    out = os.path.join(workdir, f"{name}-{system}.npy")
                    result = run_system(args, system, model_dir, onnx_path, inputs, out)
                    entry = {"run": run, "workload": name, "system": system,
                             "status": result["status"], "error": result.get("error"),
                             "tokens_per_second": result.get("tokens_per_second"),
                             "seconds": result.get("seconds"),
                             "max_abs_diff_vs_transformers": None}
                    if result["status"] == "ok":
                        pooled = np.load(out)
                        if system == "transformers":
                            reference = pooled
                        if reference is not None:
                            entry["max_abs_diff_vs_transformers"] = float(
                                np.abs(pooled - reference).max())
                        if system == "mbserve":
                            record["kernel_summary"] = result.get("kernel")
                    record["runs"].append(entry)
                    # Rewritten as it goes: a run cut short still leaves its raw numbers.
                    record["summary"] = summarize(record, workloads)
                    bench_record.write_record(record)
                    print(f"run {run} {name} {system}: {result['status']} "
                          f"{result.get('tokens_per_second') or result.get('error')}",
                          file=sys.stderr, flush=True)

    path = bench_record.finish_record(record, summarize(record, workloads))
    print(render_benchmarks.render(record, path))


if __name__ == "__main__":
    main()
