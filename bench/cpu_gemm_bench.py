"""The CPU GEMM kernels against the cores' multiply-add peak, recorded.

Runs build/bench/cpu_gemm_bench --runs times (ModernBERT-base's four weight
shapes at 512 rows, every kernel path this CPU executes, 1 and --threads
threads, plus each path's register-only multiply-add peak on one thread) and
writes bench/results/cpu-gemm-<date>.json with the machine, commit and load.

  .venv/bin/python bench/cpu_gemm_bench.py [--threads 2] [--runs 3]
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_record  # noqa: E402
import render_benchmarks  # noqa: E402


def summarize(record):
    """Median and range over the runs of every peak and every GEMM cell."""
    runs = [r["result"] for r in record["runs"]]
    peaks = {path: bench_record.spread([r["peak_gflops_one_thread"][path] for r in runs])
             for path in runs[0]["peak_gflops_one_thread"]}
    cells = {}
    for r in runs:
        for g in r["gemm"]:
            cells.setdefault((g["path"], g["weight"], g["n"], g["k"], g["threads"]),
                             []).append(g["gflops"])
    gemm = [{"path": p, "weight": w, "n": n, "k": k, "threads": t,
             "gflops": bench_record.spread(values)}
            for (p, w, n, k, t), values in cells.items()]
    return {"peak_gflops_one_thread": peaks, "gemm": gemm}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--build-dir", default=os.path.join(bench_record.ROOT, "build"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=20, help="timed GEMMs per cell and run")
    parser.add_argument("--name", default="cpu-gemm", help="result file name prefix")
    args = parser.parse_args()

    record = bench_record.start_record(args.name, {
        "kind": "gemm", "threads": args.threads, "runs": args.runs, "repeats": args.repeats})
    binary = os.path.join(args.build_dir, "bench", "cpu_gemm_bench")
    for run in range(1, args.runs + 1):
        out = subprocess.run([binary, "--threads", str(args.threads), "--repeats",
                              str(args.repeats)], capture_output=True, text=True, check=True)
        result = json.loads(out.stdout)
        record["runs"].append({"run": run, "result": result})
        record["kernel_summary"] = "cpu_gemm paths " + ", ".join(result["peak_gflops_one_thread"])
        print(f"run {run} done", file=sys.stderr, flush=True)
    path = bench_record.finish_record(record, summarize(record))
    print(render_benchmarks.render(record, path))


if __name__ == "__main__":
    main()
