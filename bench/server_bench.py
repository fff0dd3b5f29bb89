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
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_record  # noqa: E402
import render_benchmarks  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    bench_record.add_server_bench_arguments(parser)
    args = parser.parse_args()

    record = bench_record.start_record(f"server-{args.shape}", {
        "kind": "server", "shape": args.shape, "workload": args.workload,
        "sequences": args.sequences, "clients": args.clients,
        "inputs_per_request": args.inputs_per_request, "threads": args.threads})
    result = bench_record.run_server_bench("server_bench", args)
    record["kernel_summary"] = result["kernel"]
    record["runs"].append(result)
    path = bench_record.write_record(record)
    print(render_benchmarks.render(record, path))


if __name__ == "__main__":
    main()
