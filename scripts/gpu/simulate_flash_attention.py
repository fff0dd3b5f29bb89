#!/usr/bin/env python3
"""Lane-by-lane NumPy model of engine/ops/attention_cuda.cu's flash kernel.

No GPU here: this replays the kernel's index arithmetic -- the virtual block
numbering over cu_seqlens, the key-tile range of sliding windows, the
ldmatrix (plain and .trans) row addresses, the m16n8k16 fragment layouts of
the PTX ISA, the reuse of S accumulators as the A fragments of P, the edge
masks and the online softmax -- with every register named as in the kernel,
and checks the result against naive attention. Run on any machine:
  python3 scripts/gpu/simulate_flash_attention.py
It models the arithmetic, not timing or memory ordering.
"""
import numpy as np

BLOCK_M, BLOCK_N, WARPS = 64, 64, 4


def ldmatrix_x4(smem, stride, lane_addr, trans=False):
    """smem: flat array; lane_addr[l] = element offset of the row lane l names.
    Returns regs[lane][matrix] = (lo, hi) element pair."""
    regs = [[None] * 4 for _ in range(32)]
    for m in range(4):
        rows = [lane_addr[8 * m + r] for r in range(8)]
        for lane in range(32):
            g, t = lane // 4, lane % 4
            if not trans:
                base = rows[g]
                regs[lane][m] = (smem[base + 2 * t], smem[base + 2 * t + 1])
            else:
                regs[lane][m] = (smem[rows[2 * t] + g], smem[rows[2 * t + 1] + g])
    return regs


def mma(c, a, b0, b1):
    """c[lane] = 4 floats, a[lane] = 4 pairs, b0/b1[lane] = pairs (PTX m16n8k16 layouts)."""
    A = np.zeros((16, 16))
    B = np.zeros((16, 8))
    for lane in range(32):
        g, t = lane // 4, lane % 4
        for reg, (row, col) in enumerate([(g, 2 * t), (g + 8, 2 * t), (g, 2 * t + 8),
                                          (g + 8, 2 * t + 8)]):
            A[row, col], A[row, col + 1] = a[lane][reg]
        B[2 * t, g], B[2 * t + 1, g] = b0[lane]
        B[2 * t + 8, g], B[2 * t + 9, g] = b1[lane]
    C = np.zeros((16, 8))
    for lane in range(32):
        g, t = lane // 4, lane % 4
        C[g, 2 * t], C[g, 2 * t + 1], C[g + 8, 2 * t], C[g + 8, 2 * t + 1] = c[lane]
    C += A @ B
    for lane in range(32):
        g, t = lane // 4, lane % 4
        c[lane] = [C[g, 2 * t], C[g, 2 * t + 1], C[g + 8, 2 * t], C[g + 8, 2 * t + 1]]


def block(qkv, cu, v, head, d, hidden, w, out):
    n = len(cu) - 1
    lo, hi = 0, n - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if cu[mid] // BLOCK_M + mid <= v:
            lo = mid
        else:
            hi = mid - 1
    b = lo
    start, length = cu[b], cu[b + 1] - cu[b]
    q0 = (v - (cu[b] // BLOCK_M + b)) * BLOCK_M
    if q0 >= length:
        return 0
    local = w >= 0
    stride_e = d + 8
    q_last = min(q0 + BLOCK_M, length) - 1
    key_begin = max(0, q0 - w) if local else 0
    key_end = min(length, q_last + w + 1) if local else length
    tile_begin, tile_end = key_begin // BLOCK_N, (key_end + BLOCK_N - 1) // BLOCK_N
    scale_log2 = np.log2(np.e) / np.sqrt(d)

    def load(rows0, nrows, col):
        sm = np.zeros(nrows * stride_e)
        for r in range(nrows):
            if rows0 + r < length:
                sm[r * stride_e:r * stride_e + d] = qkv[start + rows0 + r, col:col + d]
        return sm

    sQ = load(q0, BLOCK_M, head * d)
    for warp in range(WARPS):
        q_frag = []
        for ks in range(d // 16):
            addr = [(warp * 16 + lane % 16) * stride_e + ks * 16 + (lane // 16) * 8
                    for lane in range(32)]
            q_frag.append([[p for p in regs] for regs in ldmatrix_x4(sQ, stride_e, addr)])
        o_acc = [[[0.0] * 4 for _ in range(32)] for _ in range(d // 8)]
        row_max = [[-np.inf, -np.inf] for _ in range(32)]
        row_sum = [[0.0, 0.0] for _ in range(32)]
        for tile in range(tile_begin, tile_end):
            sK = load(tile * BLOCK_N, BLOCK_N, hidden + head * d)
            sV = load(tile * BLOCK_N, BLOCK_N, 2 * hidden + head * d)
            s = [[[0.0] * 4 for _ in range(32)] for _ in range(BLOCK_N // 8)]
            for ks in range(d // 16):
                for np_ in range(BLOCK_N // 16):
                    addr = []
                    for lane in range(32):
                        m = lane // 8
                        key = np_ * 16 + (m // 2) * 8 + lane % 8
                        addr.append(key * stride_e + ks * 16 + (m % 2) * 8)
                    kf = ldmatrix_x4(sK, stride_e, addr)
                    mma(s[2 * np_], q_frag[ks], [kf[l][0] for l in range(32)],
                        [kf[l][1] for l in range(32)])
                    mma(s[2 * np_ + 1], q_frag[ks], [kf[l][2] for l in range(32)],
                        [kf[l][3] for l in range(32)])
            key0 = tile * BLOCK_N
            needs_mask = key0 + BLOCK_N > length or (
                local and ((q0 + BLOCK_M - 1) - key0 > w or (key0 + BLOCK_N - 1) - q0 > w))
            for lane in range(32):
                g, t = lane // 4, lane % 4
                for nt in range(BLOCK_N // 8):
                    for e in range(4):
                        i = q0 + warp * 16 + g + (8 if e >= 2 else 0)
                        j = key0 + nt * 8 + t * 2 + (e & 1)
                        allowed = j < length and (not local or abs(i - j) <= w)
                        if needs_mask and not allowed:
                            s[nt][lane][e] = -np.inf
                        if not needs_mask:
                            assert allowed or i >= length, "an unmasked tile held a banned key"
            for r in range(2):
                tile_max = {}
                for lane in range(32):
                    tile_max[lane] = max(max(s[nt][lane][2 * r], s[nt][lane][2 * r + 1])
                                         for nt in range(BLOCK_N // 8))
                for lane in range(32):  # shfl_xor 1, 2 within the quad
                    quad = [tile_max[(lane & ~3) | k] for k in range(4)]
                    tm = max(quad)
                    new_max = max(row_max[lane][r], tm)
                    reference = 0.0 if new_max == -np.inf else new_max * scale_log2
                    correction = 2.0 ** (row_max[lane][r] * scale_log2 - reference)
                    row_max[lane][r] = new_max
                    total = 0.0
                    for nt in range(BLOCK_N // 8):
                        for e in (2 * r, 2 * r + 1):
                            s[nt][lane][e] = 2.0 ** (s[nt][lane][e] * scale_log2 - reference)
                            total += s[nt][lane][e]
                    row_sum[lane][r] = row_sum[lane][r] * correction + total
                    for dt in range(d // 8):
                        o_acc[dt][lane][2 * r] *= correction
                        o_acc[dt][lane][2 * r + 1] *= correction
            for kk in range(BLOCK_N // 16):
                pf = [[(s[2 * kk][l][0], s[2 * kk][l][1]), (s[2 * kk][l][2], s[2 * kk][l][3]),
                       (s[2 * kk + 1][l][0], s[2 * kk + 1][l][1]),
                       (s[2 * kk + 1][l][2], s[2 * kk + 1][l][3])] for l in range(32)]
                for dp in range(d // 16):
                    addr = []
                    for lane in range(32):
                        m = lane // 8
                        key = kk * 16 + (m % 2) * 8 + lane % 8
                        addr.append(key * stride_e + dp * 16 + (m // 2) * 8)
                    vf = ldmatrix_x4(sV, stride_e, addr, trans=True)
                    mma(o_acc[2 * dp], pf, [vf[l][0] for l in range(32)],
                        [vf[l][1] for l in range(32)])
                    mma(o_acc[2 * dp + 1], pf, [vf[l][2] for l in range(32)],
                        [vf[l][3] for l in range(32)])
        for lane in range(32):
            g, t = lane // 4, lane % 4
            for r in range(2):
                total = sum(row_sum[(lane & ~3) | k][r] for k in range(4))
                inv = 1.0 / total if total > 0 else 0.0
                i = q0 + warp * 16 + g + 8 * r
                if i >= length:
                    continue
                for dt in range(d // 8):
                    col = head * d + dt * 8 + t * 2
                    out[start + i, col] = o_acc[dt][lane][2 * r] * inv
                    out[start + i, col + 1] = o_acc[dt][lane][2 * r + 1] * inv
    return 1


def naive(qkv, cu, heads, d, w):
    hidden = heads * d
    out = np.zeros((qkv.shape[0], hidden))
    for b in range(len(cu) - 1):
        s0, n = cu[b], cu[b + 1] - cu[b]
        for h in range(heads):
            q = qkv[s0:s0 + n, h * d:(h + 1) * d]
            k = qkv[s0:s0 + n, hidden + h * d:hidden + (h + 1) * d]
            v = qkv[s0:s0 + n, 2 * hidden + h * d:2 * hidden + (h + 1) * d]
            scores = q @ k.T / np.sqrt(d)
            if w >= 0:
                i, j = np.indices(scores.shape)
                scores[np.abs(i - j) > w] = -np.inf
            p = np.exp(scores - scores.max(1, keepdims=True))
            out[s0:s0 + n, h * d:(h + 1) * d] = (p / p.sum(1, keepdims=True)) @ v
    return out


def main():
    rng = np.random.default_rng(0)
    cases = [([1, 63, 64, 65, 130], 32, -1), ([1, 63, 64, 65, 130], 32, 64),
             ([200, 3], 64, 16), ([129, 70], 128, 64)]
    for lengths, d, w in cases:
        heads = 2
        cu = np.concatenate([[0], np.cumsum(lengths)]).astype(int)
        tokens = int(cu[-1])
        qkv = rng.normal(size=(tokens + 16, 3 * heads * d))
        out = np.full((tokens + 16, heads * d), 7.0)
        blocks = tokens // BLOCK_M + len(lengths)
        ran = 0
        for v in range(blocks):
            for h in range(heads):
                ran += block(qkv, cu, v, h, d, heads * d, w, out)
        want = naive(qkv, cu, heads, d, w)
        err = np.abs(out[:tokens] - want[:tokens]).max()
        untouched = np.all(out[tokens:] == 7.0)
        tiles = sum((n + BLOCK_M - 1) // BLOCK_M for n in lengths) * heads
        print(f"lengths {lengths} head_dim {d} window {w}: max |err| {err:.2e}, "
              f"blocks that ran {ran} (expected {tiles}), padding untouched {untouched}")
        assert err < 1e-9 and untouched and ran == tiles
    print("flash kernel model matches naive attention")


if __name__ == "__main__":
    main()
