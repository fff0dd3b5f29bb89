#!/usr/bin/env python3
"""Side-by-side single-threaded encode benchmark: mbserve's C++ tokenizer
against Hugging Face `tokenizers` (Rust) on the same generated corpus.

  .venv/bin/python bench/tokenizer_bench.py [BUILD_DIR] [TOKENIZER_JSON]

Both encode every text one at a time, with special tokens, on one thread;
each reports the best of five passes. The Rust side is timed two ways: a
Python loop of encode() (what a Python server does) and encode_batch() with
RAYON_NUM_THREADS=1 (no per-call Python overhead); the ratio is against the
faster of the two.
"""
import json
import os
import subprocess
import sys
import time

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
import tokenizer_corpus  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

REPEATS = 5


def best_of(fn):
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build-tok")
    tokenizer_json = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        ROOT, "tests", "data", "tokenizer", "modernbert_like.json")
    texts = [t for _, t in tokenizer_corpus.corpus(1000, 1_100_000)]
    corpus_path = os.path.join(ROOT, "tests", "data", "generated", "tokenizer", "bench_corpus.json")
    os.makedirs(os.path.dirname(corpus_path), exist_ok=True)
    with open(corpus_path, "w", encoding="utf-8") as f:
        json.dump(texts, f, ensure_ascii=False)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)

    tok = Tokenizer.from_file(tokenizer_json)
    # Padding and truncation in the file (all-MiniLM-L6-v2 pads to 128) are
    # the caller's settings; the C++ side applies neither.
    tok.no_padding()
    tok.no_truncation()
    loop_s, tokens = best_of(lambda: sum(len(tok.encode(t).ids) for t in texts))
    batch_s, _ = best_of(lambda: tok.encode_batch(texts))
    rust_s = min(loop_s, batch_s)

    out = subprocess.run([os.path.join(build, "bench", "tokenizer_bench"), tokenizer_json,
                          corpus_path, str(REPEATS)], check=True, capture_output=True, text=True)
    cpp = json.loads(out.stdout)
    if cpp["tokens"] != tokens:
        sys.exit("token counts differ: C++ %d, Rust %d" % (cpp["tokens"], tokens))

    print("tokenizer: %s" % os.path.basename(os.path.dirname(tokenizer_json)) + "/" +
          os.path.basename(tokenizer_json))
    print("corpus: %d texts, %.2f MB, %d tokens (one thread each)" % (len(texts), nbytes / 1e6, tokens))
    rows = [("HF tokenizers encode() loop", loop_s), ("HF tokenizers encode_batch, 1 thread", batch_s),
            ("mbserve C++ Tokenizer::Encode", cpp["seconds"])]
    for name, seconds in rows:
        print("%-38s %8.2f MB/s %12.0f tokens/s" % (name, nbytes / seconds / 1e6, tokens / seconds))
    print("ratio C++ / fastest Rust: %.2fx" % (rust_s / cpp["seconds"]))


if __name__ == "__main__":
    main()
