"""The systems mbserve's CPU benchmarks time beside its engine, each run in a
process of its own under an address-space limit, so that one running out of
memory is recorded as such instead of taking the benchmark down.

Peers (same checkpoint, same inputs, same thread count):
  transformers         the checkpoint's AutoModel /
                       AutoModelForSequenceClassification on torch CPU, float32, sdpa, torch.inference_mode,
                       padded batches in input order (how a plain loop runs)
  transformers-sorted  the same, with sentence-transformers' batching: sort
                       by length (longest first), pad each batch, restore order
  onnxruntime          the same model exported with torch.onnx (dynamo) from
                       the same weights, ONNX Runtime's CPU execution
                       provider, default graph optimizations, padded batches

The parent calls run_limited() (any command) or run_peer() (this file as the
worker: `python bench/peers.py SPEC.json`). Inputs travel as the safetensors
file bench/engine_bench reads (int32 input_ids and cu_seqlens); outputs
(mean-pooled embeddings or logits, one row per sequence, in input order) come
back as a .npy file so the parent can compare every peer on the same rows.
"""
import json
import os
import re
import resource
import subprocess
import sys
import time

import numpy as np

OOM_PATTERN = re.compile(r"out of memory|memoryerror|bad_alloc|can't allocate|cannot allocate|"
                         r"not enough memory|failed to allocate", re.IGNORECASE)


def save_inputs(path, sequences):
    from safetensors.numpy import save_file
    lengths = [len(s) for s in sequences]
    save_file({"input_ids": np.concatenate([np.asarray(s, np.int32) for s in sequences]),
               "cu_seqlens": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)}, path)


def load_inputs(path):
    from safetensors.numpy import load_file
    data = load_file(path)
    ids, cu = data["input_ids"], data["cu_seqlens"]
    return [ids[cu[b]:cu[b + 1]].tolist() for b in range(len(cu) - 1)]


def run_limited(command, memory_gb, timeout_s):
    """Runs a command whose last stdout line is JSON under an address-space
    limit; returns {"status": "ok"|"oom"|"failed"|"timeout", ...}."""
    limit = int(memory_gb * 2**30)

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s,
                             preexec_fn=limit_memory)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "error": f"still running after {timeout_s} s"}
    lines = run.stdout.strip().splitlines()
    last = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    if run.returncode == 0 and "error" not in last:
        return {"status": "ok", **last}
    error = last.get("error") or last.get("engine_error") or "\n".join(
        run.stderr.strip().splitlines()[-3:]) or f"exit status {run.returncode}"
    out_of_memory = run.returncode == -9 or OOM_PATTERN.search(error) or OOM_PATTERN.search(
        run.stderr)
    return {"status": "oom" if out_of_memory else "failed", "error": error,
            "exit_status": run.returncode, **{k: v for k, v in last.items() if k != "error"}}


def run_mbserve(build_dir, spec, memory_gb, timeout_s):
    """Runs bench/engine_bench on the same kind of spec as run_peer (plus
    "dtype" and "max_batch_tokens"); its outputs come back in the same .npy
    form."""
    raw = spec["outputs"] + ".f32"
    command = [os.path.join(build_dir, "bench", "engine_bench"), "--model", spec["model"],
               "--inputs", spec["inputs"], "--mode", spec["action"], "--task", spec["task"],
               "--dtype", spec["dtype"], "--threads", str(spec["threads"]),
               "--max-batch-tokens", str(spec["max_batch_tokens"]),
               "--warmup", str(spec["warmup"]), "--repeats", str(spec["repeats"]),
               "--outputs-out", raw]
    result = run_limited(command, memory_gb, timeout_s)
    if result.get("exit_status") == 3 and spec["dtype"] != "float32":
        # engine_bench's "Engine::Create refused the options": this CPU (or
        # build) has no kernels for the dtype. The message says which.
        result["status"] = "unsupported"
    if result["status"] == "ok":
        rows = len(load_inputs(spec["inputs"]))
        np.save(spec["outputs"], np.fromfile(raw, dtype=np.float32).reshape(rows, -1))
        os.remove(raw)
    return result


def run_peer(spec, memory_gb, timeout_s):
    """Runs one peer described by spec (see worker_main) in its own process."""
    spec_path = spec["outputs"] + ".spec.json"
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    return run_limited([sys.executable, os.path.abspath(__file__), spec_path], memory_gb,
                       timeout_s)


# ---- the worker side -------------------------------------------------------

# The Auto classes pick ModernBertModel, BertModel, ... from config.json.
HEAD_CLASSES = {"embed": "AutoModel", "classify": "AutoModelForSequenceClassification"}


def export_onnx(model_dir, task, out_path):
    """Exports the checkpoint's model (the encoder for embed, encoder and head
    for classify) with dynamic batch and sequence axes."""
    import torch
    import transformers
    model = getattr(transformers, HEAD_CLASSES[task]).from_pretrained(
        model_dir, dtype=torch.float32, attn_implementation="sdpa").eval()
    ids = torch.randint(100, 1000, (2, 32))
    mask = torch.ones_like(ids)
    mask[1, 20:] = 0
    batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence")
    output = "last_hidden_state" if task == "embed" else "logits"
    tmp = out_path + ".partial"
    torch.onnx.export(model, (), kwargs={"input_ids": ids, "attention_mask": mask}, f=tmp,
                      input_names=["input_ids", "attention_mask"], output_names=[output],
                      dynamic_shapes={"input_ids": {0: batch, 1: sequence},
                                      "attention_mask": {0: batch, 1: sequence}},
                      dynamo=True, external_data=False)
    os.replace(tmp, out_path)
    return {}


def _padded(sequences):
    length = max(len(s) for s in sequences)
    ids = np.zeros((len(sequences), length), np.int64)
    mask = np.zeros((len(sequences), length), np.int64)
    for b, s in enumerate(sequences):
        ids[b, :len(s)] = s
        mask[b, :len(s)] = 1
    return ids, mask


def _mean_pool(hidden, mask):
    m = mask[..., None].astype(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1)


def _make_forward(spec):
    """A function (ids, mask) -> one output row per sequence, as numpy."""
    task = spec["task"]
    if spec["peer"] == "onnxruntime":
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = spec["threads"]
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(spec["onnx"], options, providers=["CPUExecutionProvider"])

        def forward(ids, mask):
            out = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            return _mean_pool(out, mask) if task == "embed" else out
        return forward

    import torch
    import transformers
    torch.set_num_threads(spec["threads"])
    model = getattr(transformers, HEAD_CLASSES[task]).from_pretrained(
        spec["model"], dtype=torch.float32, attn_implementation="sdpa").eval()

    @torch.inference_mode()
    def forward(ids, mask):
        out = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
        if task == "classify":
            return out.logits.numpy()
        return _mean_pool(out.last_hidden_state.numpy(), mask)
    return forward


def throughput(spec, sequences):
    forward = _make_forward(spec)
    forward(*_padded([sequences[0][:64]]))  # warm-up, as the engine gets
    order = list(range(len(sequences)))
    if spec["order"] == "sorted":  # sentence-transformers: longest first
        order.sort(key=lambda i: -len(sequences[i]))
    rows = [None] * len(sequences)
    size = spec["batch_size"]
    start = time.perf_counter()
    for i in range(0, len(order), size):
        batch = order[i:i + size]
        out = forward(*_padded([sequences[b] for b in batch]))
        for b, row in zip(batch, out):
            rows[b] = row
    seconds = time.perf_counter() - start
    np.save(spec["outputs"], np.stack(rows))
    tokens = sum(len(s) for s in sequences)
    return {"tokens": tokens, "sequences": len(sequences), "seconds": seconds,
            "tokens_per_second": tokens / seconds}


def latency(spec, sequences):
    forward = _make_forward(spec)
    rows, results = [], []
    for s in sequences:
        inputs = _padded([s])  # a batch of one: no padding
        for _ in range(spec["warmup"]):
            forward(*inputs)
        seconds = []
        for i in range(spec["repeats"]):
            start = time.perf_counter()
            out = forward(*inputs)
            seconds.append(time.perf_counter() - start)
            if i == 0:
                rows.append(out[0])
        results.append({"tokens": len(s), "seconds": seconds})
    np.save(spec["outputs"], np.stack(rows))
    return {"sequences": results}


def worker_main(spec_path):
    """spec: {"action": "export"|"throughput"|"latency", "peer", "task":
    "embed"|"classify", "model" (checkpoint dir), "onnx" (exported file),
    "inputs", "outputs" (.npy), "threads", "batch_size", "order":
    "input"|"sorted", "warmup", "repeats"}. Prints one JSON line."""
    with open(spec_path) as f:
        spec = json.load(f)
    try:
        if spec["action"] == "export":
            result = export_onnx(spec["model"], spec["task"], spec["onnx"])
        else:
            sequences = load_inputs(spec["inputs"])
            result = (throughput if spec["action"] == "throughput" else latency)(spec, sequences)
    except MemoryError as e:
        result = {"error": f"MemoryError: {e}"}
    except Exception as e:  # noqa: BLE001 - a peer's failure is a result to record
        result = {"error": f"{type(e).__name__}: {str(e)[-500:]}"}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    worker_main(sys.argv[1])
