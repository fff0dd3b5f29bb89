"""End-to-end gRPC throughput against engine-only throughput, in one run of
bench/server_bench (see server_bench.cc), on a random ModernBERT checkpoint
of a chosen shape with the tiny model's tokenizer.

  .venv/bin/python bench/server_bench.py [--shape small] [--workload variable-short]
        [--sequences 512] [--clients 16] [--inputs-per-request 8] [--threads 2]
        [--build-dir build]

Shapes (ModernBERT / Ettin family, head_dim 64, window 128, global every 3):
  tiny   hidden 64,  3 layers   (the test model: overhead-bound, a stress test)
  small  hidden 384, 10 layers  (Ettin-32m-like)
  base   hidden 768, 22 layers  (ModernBERT-base)
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_record  # noqa: E402
import render_benchmarks  # noqa: E402

SHAPES = {"tiny": (64, 4, 3, 96), "small": (384, 6, 10, 576), "base": (768, 12, 22, 1152)}


def make_model(shape, out, build_dir):
    if os.path.exists(os.path.join(out, "model.safetensors")):
        return
    from modernbert_reference import make_config, save_checkpoint
    tiny = os.path.join(build_dir, "bench", "server_bench_tokenizer")
    if not os.path.exists(os.path.join(tiny, "tokenizer.json")):
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "reference", "make_tiny_model.py"),
                        "--out", tiny, "--head", "model"], check=True)
    hidden, heads, layers, intermediate = SHAPES[shape]
    with open(os.path.join(tiny, "config.json")) as f:
        vocab = json.load(f)["vocab_size"]
    config = make_config(hidden=hidden, heads=heads, layers=layers, intermediate=intermediate,
                         window=128, global_every=3, vocab=vocab)
    save_checkpoint(out, config, "model", seed=0)
    shutil.copy(os.path.join(tiny, "tokenizer.json"), os.path.join(out, "tokenizer.json"))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="small")
    parser.add_argument("--workload", default="variable-short",
                        choices=["variable-short", "fixed-512", "variable-long"])
    parser.add_argument("--sequences", type=int, default=512)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--inputs-per-request", type=int, default=8)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()

    record = bench_record.start_record(f"server-{args.shape}", {
        "kind": "server", "shape": args.shape, "workload": args.workload,
        "sequences": args.sequences, "clients": args.clients,
        "inputs_per_request": args.inputs_per_request, "threads": args.threads})
    model = os.path.join(args.build_dir, "bench", f"server_bench_{args.shape}")
    make_model(args.shape, model, args.build_dir)
    command = [os.path.join(args.build_dir, "bench", "server_bench"), "--model", model,
               "--workload", args.workload, "--sequences", str(args.sequences),
               "--clients", str(args.clients), "--inputs-per-request", str(args.inputs_per_request),
               "--threads", str(args.threads)]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"server_bench failed ({run.returncode}):\n{run.stderr}")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    result["shape"] = args.shape
    record["kernel_summary"] = result["kernel"]
    record["runs"].append(result)
    path = bench_record.write_record(record)
    print(render_benchmarks.render(record, path))


if __name__ == "__main__":
    main()
