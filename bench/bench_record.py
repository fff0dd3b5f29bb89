"""What every CPU benchmark records beside its numbers, and where it writes them.

A result file is bench/results/<name>-<UTC date and time>.json holding the
machine (CPU model and the SIMD flags the kernels dispatch on, cores, load
average before and after), the commit, library versions, the settings and
every run's raw numbers; bench/render_benchmarks.py turns such files into
the tables of docs/BENCHMARKS.md.
"""
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS_DIR = os.path.join(ROOT, "bench", "results")
# The flags the CPU kernels choose their path by.
SIMD_FLAGS = ("avx2", "fma", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16")


def _git(*args):
    return subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def _cpu():
    model, flags = "unknown", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model == "unknown":
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    return model, [flag for flag in SIMD_FLAGS if flag in flags]


def _versions():
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    for name in ("torch", "transformers", "onnxruntime"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = None
    return versions


def add_peer_arguments(parser, name):
    """The options every engine-against-peers benchmark takes; `name` is the
    default result file prefix."""
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--model-dir", default=os.path.join(tempfile.gettempdir(), "mbserve-bench"),
                        help="where the checkpoints (<dir>-<shape>-<head>) are made and kept")
    parser.add_argument("--max-batch-tokens", type=int, default=16384,
                        help="the engine's batch capacity (the server's default)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory-gb", type=float, default=8.0,
                        help="address-space limit of each system's process")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per system run")
    parser.add_argument("--name", default=name, help="result file name prefix")


def rss_mib(pid):
    """A process's resident set size in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"process {pid} has no VmRSS")


def start_record(name, settings):
    """The metadata of a benchmark run, taken before it starts."""
    model, flags = _cpu()
    now = datetime.datetime.now(datetime.timezone.utc)
    return {
        "benchmark": name,
        "date": now.isoformat(timespec="seconds"),
        "commit": _git("rev-parse", "HEAD"),
        # Uncommitted changes to tracked files outside bench/results make the
        # commit an approximation of what ran; say so.
        "uncommitted_changes": bool(_git("status", "--porcelain", "--untracked-files=no",
                                         "--", ".", ":!bench/results")),
        "cpu": model,
        "cpu_simd_flags": flags,
        "cpu_cores": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "kernel_summary": None,  # filled from the engine's own report
        "versions": _versions(),
        "settings": settings,
        "complete": False,  # set when every run has finished
        "runs": [],
    }


def write_record(record):
    """Writes the record with the closing load average; returns the path."""
    record["load_average_after"] = os.getloadavg()
    os.makedirs(RESULTS_DIR, exist_ok=True)
    stamp = datetime.datetime.fromisoformat(record["date"]).strftime("%Y-%m-%dT%H%MZ")
    path = os.path.join(RESULTS_DIR, f"{record['benchmark']}-{stamp}.json")
    with open(path, "w") as f:
        json.dump(record, f, indent=1)
        f.write("\n")
    return path


def finish_record(record, summary):
    """Marks the record complete with its summary and writes it; returns the
    path."""
    record["summary"] = summary
    record["complete"] = True
    return write_record(record)


def spread(values):
    """Median and range of one number over repeated runs."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": float(np.median(values)), "min": float(min(values)),
            "max": float(max(values)), "runs": len(values)}


def percentiles(seconds):
    """p50 and p99 of one run's per-call times (numpy's linear interpolation:
    with fewer than 100 calls p99 lies between the two slowest)."""
    return {"p50": float(np.percentile(seconds, 50)), "p99": float(np.percentile(seconds, 99))}


# --- The server benchmarks' launcher (server_bench.py, http_bench.py) -------
# A random ModernBERT checkpoint of a chosen shape with the tiny model's
# tokenizer, and one run of a C++ benchmark binary on it.

# hidden, heads, layers, intermediate (Ettin family: head_dim 64, window
# 128, global attention every 3 layers).
SERVER_SHAPES = {"tiny": (64, 4, 3, 96), "small": (384, 6, 10, 576),
                 "base": (768, 12, 22, 1152)}


def make_server_model(shape, out, build_dir):
    """Writes the checkpoint of `shape` to `out` unless it is there."""
    if os.path.exists(os.path.join(out, "model.safetensors")):
        return
    sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
    from modernbert_reference import make_config, save_checkpoint
    tiny = os.path.join(build_dir, "bench", "server_bench_tokenizer")
    if not os.path.exists(os.path.join(tiny, "tokenizer.json")):
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "reference",
                                                     "make_tiny_model.py"),
                        "--out", tiny, "--head", "model"], check=True)
    hidden, heads, layers, intermediate = SERVER_SHAPES[shape]
    with open(os.path.join(tiny, "config.json")) as f:
        vocab = json.load(f)["vocab_size"]
    config = make_config(hidden=hidden, heads=heads, layers=layers, intermediate=intermediate,
                         window=128, global_every=3, vocab=vocab)
    save_checkpoint(out, config, "model", seed=0)
    shutil.copy(os.path.join(tiny, "tokenizer.json"), os.path.join(out, "tokenizer.json"))


def add_server_bench_arguments(parser):
    """The flags both launchers take, as server_workload.h's WorkloadArgs."""
    parser.add_argument("--shape", choices=sorted(SERVER_SHAPES), default="small")
    parser.add_argument("--workload", default="variable-short",
                        choices=["variable-short", "fixed-512", "variable-long"])
    parser.add_argument("--sequences", type=int, default=512)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--inputs-per-request", type=int, default=8)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))


def run_server_bench(binary, args, *extra_flags):
    """Runs build/bench/<binary> on the checkpoint of args.shape (made first)
    with the shared flags and `extra_flags`; returns its JSON line with the
    shape added, or exits with its error output."""
    model = os.path.join(args.build_dir, "bench", f"server_bench_{args.shape}")
    make_server_model(args.shape, model, args.build_dir)
    command = [os.path.join(args.build_dir, "bench", binary), "--model", model,
               "--workload", args.workload, "--sequences", str(args.sequences),
               "--clients", str(args.clients), "--inputs-per-request", str(args.inputs_per_request),
               "--threads", str(args.threads), *extra_flags]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"{binary} failed ({run.returncode}):\n{run.stderr}")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    result["shape"] = args.shape
    return result
