"""Makes the ModernBERT parity fixtures: random checkpoints in the formats
users download (v4 and v5 config.json, fp32 and bf16 safetensors, sharded,
with and without the "model." prefix) and what transformers computes on
sequences around each sliding window.

  python make_model_fixtures.py --set committed --out tests/data/modernbert
  python make_model_fixtures.py --set generated --out tests/data/generated/modernbert

The committed set is small (in git); the generated set (window 128, hidden
256, a sequence of 8192 tokens) is made by ctest before the parity test.
"""
import argparse
import json
import os
import random

from modernbert_reference import (check_read_back, load_reference, make_config, reference_outputs,
                                  save_checkpoint, save_expected)

# name: (hidden, heads, layers, window, global_every, head, dtype, config format,
#        classifier pooling, local theta, vocab, extra)
CASES = {
    "committed": [
        ("h32_a2_l1_w8_g1_model_v5_f32", 32, 2, 1, 8, 1, "model", "float32", "v5", "cls", 10000.0, 256, {}),
        ("h64_a4_l3_w16_g3_mlm_v4_f32", 64, 4, 3, 16, 3, "mlm", "float32", "v4", "cls", 10000.0, 256, {}),
        ("h96_a2_l4_w8_g2_cls_v4_bf16", 96, 2, 4, 8, 2, "cls", "bfloat16", "v4", "mean", 10000.0, 256, {}),
        ("h128_a8_l5_w16_g3_cls_v5_bf16", 128, 8, 5, 16, 3, "cls", "bfloat16", "v5", "cls", 160000.0, 256, {}),
        ("h48_a2_l2_w16_g2_mlm_v4_bf16", 48, 2, 2, 16, 2, "mlm", "bfloat16", "v4", "cls", 10000.0, 256, {}),
        ("h64_a2_l2_w8_g3_model_v5_f32_sharded", 64, 2, 2, 8, 3, "model", "float32", "v5", "cls", 10000.0, 256,
         {"shard_size": "40KB"}),
    ],
    "generated": [
        ("h64_a2_l3_w128_g3_model_v5_f32", 64, 2, 3, 128, 3, "model", "float32", "v5", "cls", 10000.0, 512, {}),
        ("h128_a4_l4_w128_g2_mlm_v4_bf16", 128, 4, 4, 128, 2, "mlm", "bfloat16", "v4", "cls", 10000.0, 512, {}),
        ("h256_a8_l7_w128_g3_cls_v5_f32", 256, 8, 7, 128, 3, "cls", "float32", "v5", "mean", 10000.0, 512, {}),
        ("h192_a3_l6_w16_g1_model_v4_bf16", 192, 3, 6, 16, 1, "model", "bfloat16", "v4", "cls", 160000.0, 512, {}),
        ("h64_a2_l3_w128_g3_model_v5_f32_long8192", 64, 2, 3, 128, 3, "model", "float32", "v5", "cls", 10000.0, 512,
         {"lengths": [8192, 300]}),
    ],
}


def window_lengths(window, rng):
    """Lengths that straddle the window: 1, w/2, w/2+1, w+1, 3w, and random."""
    fixed = [1, window // 2, window // 2 + 1, window + 1, 3 * window]
    return fixed + [rng.randint(2, 3 * window) for _ in range(3)]


def make_case(out_dir, case, seed):
    (name, hidden, heads, layers, window, every, head, dtype, fmt, pooling, local_theta, vocab,
     extra) = case
    case_dir = os.path.join(out_dir, name)
    os.makedirs(case_dir, exist_ok=True)
    config = make_config(hidden=hidden, heads=heads, layers=layers, intermediate=hidden * 3 // 2,
                         window=window, global_every=every, vocab=vocab, local_theta=local_theta,
                         classifier_pooling=pooling)
    save_checkpoint(case_dir, config, head, seed, dtype=dtype, config_format=fmt,
                    shard_size=extra.get("shard_size"))
    rng = random.Random(seed)
    lengths = extra.get("lengths") or window_lengths(window, rng)
    sequences = [[rng.randrange(vocab) for _ in range(n)] for n in lengths]
    model = load_reference(case_dir, head)
    check_read_back(model, every, local_theta)
    save_expected(os.path.join(case_dir, "expected.safetensors"),
                  reference_outputs(model, head, sequences))
    return {"name": name, "head": head, "dtype": dtype, "config_format": fmt, "window": window,
            "global_every": every, "lengths": lengths}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", choices=sorted(CASES), required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = [make_case(args.out, case, seed) for seed, case in enumerate(CASES[args.set])]
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump({"cases": manifest}, f, indent=1)
    print(f"made {len(manifest)} cases in {args.out}")


if __name__ == "__main__":
    main()
