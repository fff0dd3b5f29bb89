"""Markdown tables for docs/BENCHMARKS.md from result files in bench/results
(written by bench/cpu_latency_bench.py and bench/cpu_engine_bench.py), so
that every number in the doc is traceable to a committed raw file.

  .venv/bin/python bench/render_benchmarks.py bench/results/cpu-latency-*.json ...
"""
import json
import os
import sys

FAILURE_WORDS = {"oom": "out of memory", "failed": "failed", "timeout": "timed out",
                 "unsupported": "unsupported"}


def _range(cell, scale=1.0, digits=1, suffix=""):
    if cell is None:
        return "–"
    median, low, high = (cell[k] * scale for k in ("median", "min", "max"))
    if cell["runs"] == 1:
        return f"{median:,.{digits}f}{suffix}"
    return f"{median:,.{digits}f}{suffix} ({low:,.{digits}f}–{high:,.{digits}f})"


def _diff(value):
    return "–" if value is None else f"{value:.1e}"


def _failure(entry, record):
    words = [FAILURE_WORDS.get(f, f) for f in entry["failures"]]
    if "oom" in entry["failures"]:
        words = [w + f" ({record['settings']['memory_gb_per_system']:g} GiB limit)"
                 if w == "out of memory" else w for w in words]
    return ", ".join(words)


def header(record, path):
    load = record["load_average_before"], record["load_average_after"]
    versions = record["versions"]
    return (f"Raw results: `{os.path.relpath(path)}` (commit {record['commit'][:7]}"
            f"{', with uncommitted changes' if record['uncommitted_changes'] else ''}, "
            f"{record['date']}). Machine: {record['cpu']}, {record['cpu_cores']} cores, "
            f"SIMD {' '.join(record['cpu_simd_flags']) or 'none of note'}; "
            f"1-minute load average {load[0][0]:.1f} before, {load[1][0]:.1f} after. "
            f"mbserve kernels: {record['kernel_summary'] or 'not reported by this build'}. "
            f"{record['settings']['threads']} threads for every system; torch "
            f"{versions['torch']}, transformers {versions['transformers']}, onnxruntime "
            f"{versions['onnxruntime']}."
            + ("" if record.get("complete", True) else
               " **Cut short**: only the runs counted in each cell finished."))


def _runs_sentence(record):
    planned = record["settings"]["runs"]
    if record.get("complete", True):
        return f"each cell is the median over {planned} runs (min–max)"
    return (f"each cell is the median (min–max) over the runs of the {planned} planned that "
            f"finished; a single value is one run")


def render_latency(record, path):
    s = record["settings"]
    rows = {(e["task"], e["tokens"], e["system"]): e for e in record["summary"]}
    lines = [header(record, path), "",
             f"Milliseconds per call, batch of one; p50 and p99 of {s['repeats']} timed calls "
             f"after {s['warmup']} warm-up call(s); {_runs_sentence(record)}. \"x mbserve\" "
             f"is the system's p50 over mbserve's in the same run (above 1: mbserve is "
             f"faster).", "",
             "| head | tokens | mbserve p50 | mbserve p99 | transformers p50 | transformers p99 "
             "| transformers x mbserve | ONNX Runtime p50 | ONNX Runtime p99 "
             "| ONNX Runtime x mbserve | max abs diff vs transformers (mbserve / ORT) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for task, lengths in s["lengths"].items():
        for length in lengths:
            measured = [rows[(task, length, system)] for system in ("mbserve", "transformers",
                                                                    "onnxruntime")]
            if not any(e["p50_seconds"] or e["failures"] for e in measured):
                continue  # no run reached it: nothing to show
            cells = [{"embed": "embedding (mean)", "classify": "2-label classifier"}[task],
                     str(length)]
            for system in ("mbserve", "transformers", "onnxruntime"):
                e = rows[(task, length, system)]
                if e["p50_seconds"] is None:
                    cells += [_failure(e, record), "", ""] if system != "mbserve" else [
                        _failure(e, record), ""]
                    continue
                cells += [_range(e["p50_seconds"], 1e3), _range(e["p99_seconds"], 1e3)]
                if system != "mbserve":
                    cells.append(_range(e["p50_over_mbserve"], digits=2, suffix="x"))
            cells.append(f"{_diff(rows[(task, length, 'mbserve')]['max_abs_diff_vs_transformers'])}"
                         f" / {_diff(rows[(task, length, 'onnxruntime')]['max_abs_diff_vs_transformers'])}")
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_throughput(record, path):
    s = record["settings"]
    model = {"modernbert": f"ModernBERT ({s['shape']} shape, random weights)",
             "minilm": "all-MiniLM-L6-v2 (BERT, real weights)"}[s.get("model", "modernbert")]
    lines = [header(record, path), "",
             f"Model: {model}, mean pooling. "
             f"Real (non-padding) tokens per second; {_runs_sentence(record)}. "
             f"\"mbserve x\" is mbserve float32's rate over the system's in the same run "
             f"(above 1: mbserve is faster).", "",
             "| workload | sequences | real tokens | system | tokens/s | mbserve x | "
             "max abs pooled diff vs transformers |",
             "|---|---:|---:|---|---:|---:|---:|"]
    for e in record["summary"]:
        rate = (_range(e["tokens_per_second"], digits=0) if e["tokens_per_second"]
                else _failure(e, record))
        ratio = (_range(e["mbserve_over_system"], digits=2, suffix="x")
                 if e["system"] != "mbserve" else "")
        lines.append(f"| {e['workload']} | {e['sequences']} | {e['tokens']:,} | "
                     f"{e['system']} | {rate} | {ratio} | "
                     f"{'(reference)' if e['system'] == 'transformers' else _diff(e['max_abs_diff_vs_transformers'])} |")
    return "\n".join(lines)


def render_server(record, path):
    r = record["runs"][0]
    return "\n".join([
        header(record, path), "",
        "| model | workload | clients x inputs per call | engine tokens/s (before, after) "
        "| end-to-end tokens/s | end-to-end / faster engine pass |",
        "|---|---|---|---:|---:|---:|",
        f"| {r['shape']} (hidden {r['hidden']}, {r['layers']} layers) | {r['workload']}, "
        f"{r['sequences']} sequences, {r['tokens']:,} tokens | {r['clients']} x "
        f"{r['inputs_per_request']} | {r['engine_runs'][0]:,.0f}, {r['engine_runs'][1]:,.0f} "
        f"| {r['server_tokens_per_s']:,.0f} | {100 * r['ratio']:.1f}% |"])


def render_gemm(record, path):
    s = record["settings"]
    summary = record["summary"]
    peaks = summary["peak_gflops_one_thread"]
    lines = [header(record, path), "",
             f"GFLOP/s of cpu_gemm::Gemm at 512 rows, weights packed once; each cell is the "
             f"median of {s['repeats']} GEMMs per run, then the median over {s['runs']} runs "
             f"(min–max). \"Peak\" is one thread running only the path's multiply-add "
             f"instruction on registers.", "",
             "| kernel path | one-thread peak | weight (n x k) | 1 thread | % of peak | "
             f"{s['threads']} threads |",
             "|---|---:|---|---:|---:|---:|"]
    cells = {(g["path"], g["weight"], g["threads"]): g for g in summary["gemm"]}
    for (path_name, weight, threads), g in cells.items():
        if threads != 1:
            continue
        peak = peaks[path_name]
        wide = cells.get((path_name, weight, s["threads"]))
        lines.append(f"| {path_name} | {_range(peak, digits=0)} | {weight} ({g['n']} x {g['k']}) "
                     f"| {_range(g['gflops'], digits=0)} | "
                     f"{100 * g['gflops']['median'] / peak['median']:.0f}% | "
                     f"{_range(wide['gflops'], digits=0) if wide else '–'} |")
    if "avx512 float32" in peaks:
        float32_peak = peaks["avx512 float32"]["median"]
        ratios = [f"{name.split()[0]} {peaks[name]['median'] / float32_peak:.2f}x"
                  for name in ("avx512 bfloat16", "amx bfloat16") if name in peaks]
        if ratios:
            lines += ["", "One-thread peak, bfloat16 over AVX-512 float32: "
                      + ", ".join(ratios) + "."]
    return "\n".join(lines)


def render(record, path):
    kind = record["settings"]["kind"]
    return {"latency": render_latency, "throughput": render_throughput,
            "server": render_server, "gemm": render_gemm}[kind](record, path)


def main():
    for path in sys.argv[1:]:
        with open(path) as f:
            print(render(json.load(f), path) + "\n")


if __name__ == "__main__":
    main()
