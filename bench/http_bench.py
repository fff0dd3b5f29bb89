"""End-to-end tokens/s at saturation through HTTP/JSON (POST /v1/embeddings,
base64 and float) against gRPC Embed, in one run of bench/http_bench (see
http_bench.cc), on the random ModernBERT checkpoints of server_bench.py.

  .venv/bin/python bench/http_bench.py [--shape small] [--workload variable-short]
        [--sequences 512] [--clients 16] [--inputs-per-request 8] [--threads 2]
        [--rounds 3] [--build-dir build]

Prints http_bench's JSON line, then a row of the table in docs/BENCHMARKS.md.
"""
import argparse
import json
import os
import subprocess
import sys

from server_bench import ROOT, SHAPES, make_model


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
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()

    model = os.path.join(args.build_dir, "bench", f"server_bench_{args.shape}")
    make_model(args.shape, model, args.build_dir)
    command = [os.path.join(args.build_dir, "bench", "http_bench"), "--model", model,
               "--workload", args.workload, "--sequences", str(args.sequences),
               "--clients", str(args.clients), "--inputs-per-request", str(args.inputs_per_request),
               "--threads", str(args.threads), "--rounds", str(args.rounds)]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"http_bench failed ({run.returncode}):\n{run.stderr}")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    result["shape"] = args.shape
    print(json.dumps(result))
    print(f"| {args.shape} (hidden {result['hidden']}, {result['layers']} layers) | "
          f"{args.workload} | {args.clients} x {args.inputs_per_request} | "
          f"{result['grpc_tokens_per_s']:.0f} | {result['http_base64_tokens_per_s']:.0f} "
          f"({100 * result['base64_ratio']:.1f}%) | {result['http_float_tokens_per_s']:.0f} "
          f"({100 * result['float_ratio']:.1f}%) |")


if __name__ == "__main__":
    main()
