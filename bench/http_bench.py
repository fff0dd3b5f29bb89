"""End-to-end tokens/s at saturation through HTTP/JSON (POST /v1/embeddings,
base64 and float) against gRPC Embed, in one run of bench/http_bench (see
http_bench.cc), on the random ModernBERT checkpoints of server_bench.py.

  .venv/bin/python bench/http_bench.py [--shape small] [--workload variable-short]
        [--sequences 512] [--clients 16] [--inputs-per-request 8] [--threads 2]
        [--rounds 3] [--build-dir build]

Each round runs gRPC, HTTP base64 and HTTP float back to back, so one
round's runs share the machine's state; a round's ratio is HTTP over that
round's gRPC. Prints http_bench's JSON line with the ratios' median, lowest
and highest over the rounds, then a row of the table in docs/BENCHMARKS.md.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_record  # noqa: E402


def ratios(http_runs, grpc_runs):
    """Median and range of the rounds' HTTP / gRPC ratios."""
    return bench_record.spread([h / g for h, g in zip(http_runs, grpc_runs)])


def percent(stats):
    return (f"{100 * stats['median']:.1f}% "
            f"({100 * stats['min']:.1f}-{100 * stats['max']:.1f})")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    bench_record.add_server_bench_arguments(parser)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    result = bench_record.run_server_bench("http_bench", args, "--rounds", str(args.rounds))
    result["base64_ratio"] = ratios(result["http_base64_runs"], result["grpc_runs"])
    result["float_ratio"] = ratios(result["http_float_runs"], result["grpc_runs"])
    result["load_average_after"] = os.getloadavg()
    print(json.dumps(result))
    def median(runs):
        return bench_record.spread(runs)["median"]
    print(f"| {args.shape} (hidden {result['hidden']}, {result['layers']} layers) | "
          f"{args.workload} | {args.clients} x {args.inputs_per_request} | "
          f"{median(result['grpc_runs']):.0f} | {median(result['http_base64_runs']):.0f} | "
          f"{percent(result['base64_ratio'])} | {median(result['http_float_runs']):.0f} | "
          f"{percent(result['float_ratio'])} | {result['http_resent']} |")


if __name__ == "__main__":
    main()
