"""Single-request latency on CPU: mbserve's engine against transformers and
ONNX Runtime, a batch of one sequence at a time.

Checkpoints: bench/bench_models.py (ModernBERT-base shape, random float32
weights), an embedding model (mean pooling) and a 2-label classifier. For
each head and length, every system runs the same sequence (random ids)
--warmup times untimed, then --repeats times timed; p50 and p99 are over
those calls. The whole set is run --runs times (systems interleaved, so load
from other processes spreads over all of them); the JSON keeps every call's
time, the summary gives each percentile's median and range over the runs.
Timed: mbserve Engine::Run (bench/engine_bench --mode latency); the peers'
forward on [1, L] ids with an all-ones mask (+ mean pooling for embeddings).
Outputs are checked against transformers' (max abs difference).

  .venv/bin/python bench/cpu_latency_bench.py [--threads 2] [--runs 3]
"""
import argparse
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_models  # noqa: E402
import bench_record  # noqa: E402
import peers  # noqa: E402
import render_benchmarks  # noqa: E402

SYSTEMS = ("mbserve", "transformers", "onnxruntime")
# The classifier first: its 7-token case (one short Classify request) is the headline.
LENGTHS = {"classify": (7, 8, 32, 128, 512), "embed": (8, 32, 128, 512)}


def run_system(args, system, task, model_dir, onnx_path, inputs, outputs):
    spec = {"action": "latency", "peer": system, "task": task, "model": model_dir,
            "onnx": onnx_path, "inputs": inputs, "outputs": outputs, "threads": args.threads,
            "warmup": args.warmup, "repeats": args.repeats, "dtype": "float32",
            "max_batch_tokens": args.max_batch_tokens}
    if system == "mbserve":
        return peers.run_mbserve(args.build_dir, spec, args.memory_gb, args.timeout)
    return peers.run_peer(spec, args.memory_gb, args.timeout)


def summarize(record):
    """Per head, length and system: p50 and p99 over the runs, and the
    system's p50 divided by mbserve's in the same run (its slowdown)."""
    summary = []
    for task, lengths in LENGTHS.items():
        for i, length in enumerate(lengths):
            by_run = {}
            for run in record["runs"]:
                if run["task"] == task and run["status"] == "ok":
                    by_run.setdefault(run["run"], {})[run["system"]] = run["lengths"][i]
            for system in SYSTEMS:
                cells = [r[system] for r in by_run.values() if system in r]
                ratios = [r[system]["p50"] / r["mbserve"]["p50"] for r in by_run.values()
                          if system in r and "mbserve" in r]
                failures = sorted({run["status"] for run in record["runs"]
                                   if run["task"] == task and run["system"] == system
                                   and run["status"] != "ok"})
                summary.append({
                    "task": task, "tokens": length, "system": system,
                    "p50_seconds": bench_record.spread([c["p50"] for c in cells]),
                    "p99_seconds": bench_record.spread([c["p99"] for c in cells]),
                    "p50_over_mbserve": bench_record.spread(ratios),
                    "max_abs_diff_vs_transformers": max(
                        [c["max_abs_diff_vs_transformers"] for c in cells
                         if c["max_abs_diff_vs_transformers"] is not None], default=None),
                    "failures": failures})
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", choices=sorted(bench_models.SHAPES), default="base")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=30)
    bench_record.add_peer_arguments(parser, "cpu-latency")
    args = parser.parse_args()

    record = bench_record.start_record(args.name, {
        "kind": "latency", "shape": args.shape, "threads": args.threads, "runs": args.runs,
        "warmup": args.warmup, "repeats": args.repeats, "lengths": LENGTHS,
        "memory_gb_per_system": args.memory_gb, "dtype": "float32",
        "max_batch_tokens": args.max_batch_tokens})
    models = {}
    for task in LENGTHS:
        model_dir = bench_models.make_checkpoint(f"{args.model_dir}-{args.shape}-{task}",
                                                 args.shape, task)
        models[task] = (model_dir, bench_models.onnx_export(model_dir, task, args.memory_gb,
                                                               model_dir + "-onnx"))

    with tempfile.TemporaryDirectory() as workdir:
        for run in range(1, args.runs + 1):
            for task, lengths in LENGTHS.items():
                inputs = os.path.join(workdir, f"{task}.safetensors")
                peers.save_inputs(inputs, bench_models.random_sequences(lengths))
                outputs = {}
                for system in SYSTEMS:
                    out = os.path.join(workdir, f"{task}-{system}.npy")
                    result = run_system(args, system, task, *models[task], inputs, out)
                    if result["status"] == "ok":
                        outputs[system] = np.load(out)
                        record["kernel_summary"] = result.get("kernel", record["kernel_summary"])
                    entry = {"run": run, "task": task, "system": system,
                             "status": result["status"], "error": result.get("error"),
                             "lengths": []}
                    for i, seq in enumerate(result.get("sequences", [])):
                        entry["lengths"].append({"tokens": seq["tokens"], "seconds": seq["seconds"],
                                                 **bench_record.percentiles(seq["seconds"]),
                                                 "max_abs_diff_vs_transformers": None})
                    record["runs"].append(entry)
                    print(f"run {run} {task} {system}: {result['status']}", file=sys.stderr,
                          flush=True)
                # Every system's outputs against transformers', per length.
                reference = outputs.get("transformers")
                for entry in record["runs"][-len(SYSTEMS):]:
                    if reference is not None and entry["system"] in outputs:
                        diff = np.abs(outputs[entry["system"]] - reference).max(axis=1)
                        for cell, d in zip(entry["lengths"], diff):
                            cell["max_abs_diff_vs_transformers"] = float(d)
                # Rewritten as it goes: a run cut short still leaves its raw numbers.
                record["summary"] = summarize(record)
                bench_record.write_record(record)

    path = bench_record.finish_record(record, summarize(record))
    print(render_benchmarks.render(record, path))


if __name__ == "__main__":
    main()
