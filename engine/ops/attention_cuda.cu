// Varlen flash-style attention forward (FlashAttention-2 algorithm) on
// tensor cores: mma.sync m16n8k16 (bf16 or fp16 in, float32 accumulators),
// ldmatrix fragment loads, cp.async double-buffered K/V tiles, online
// softmax in registers. Works on sm_80 and sm_90.
//
// Work mapping. A block takes kBlockM = 64 queries of one sequence and one
// head; its 4 warps own 16 query rows each. Blocks are numbered over all
// sequences without a host-built list: sequence b owns the virtual indices
// [V(b), V(b + 1)) with V(b) = cu_seqlens[b] / kBlockM + b, which always
// holds its ceil(len / kBlockM) tiles (and at most one spare, which exits at
// once). A block finds its sequence by binary search on V. Tiles are cut
// relative to the sequence start, so a sequence's result never depends on
// the rest of the batch.
//
// Sliding window (|i - j| <= w): a query tile [q0, q1) visits only the key
// tiles that meet [q0 - w, q1 + w], and only tiles that cross the window
// edge or the sequence end pay for per-element masking.
#include <type_traits>

#include "engine/ops/attention_cuda.h"
#include "engine/ops/cuda_device.cuh"

namespace mbserve::cuda {
namespace {

constexpr int kBlockM = 64;  // queries per block
constexpr int kBlockN = 64;  // keys per tile
constexpr int kWarps = 4;    // 16 query rows each
constexpr int kThreads = kWarps * 32;
constexpr float kLog2e = 1.4426950408889634f;

template <int kHeadDim>
struct Smem {
  // Rows padded by 16 bytes: the 8 row addresses of an ldmatrix then fall in
  // 8 different 4-bank groups (no bank conflicts) for every head_dim here.
  static constexpr int kStride = kHeadDim + 8;  // elements
  static constexpr int kTile = kBlockN * kStride;
  static constexpr int kQ = kBlockM * kStride;
  static constexpr int kElements = kQ + 4 * kTile;  // Q, K x2 stages, V x2 stages
  static constexpr size_t kBytes = kElements * 2;
};

struct Params {
  const void* qkv;
  void* out;
  const int32_t* cu_seqlens;
  int num_sequences;
  int hidden;  // num_heads * head_dim
  int half_window;
  float scale_log2;  // head_dim^-0.5 * log2(e), folded into the exponent
};

// ---- PTX wrappers ----

__device__ __forceinline__ uint32_t SmemAddress(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

// 16-byte async copy; src_bytes = 0 fills the destination with zeros.
__device__ __forceinline__ void CpAsync16(void* dst, const void* src, int src_bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(SmemAddress(dst)), "l"(src),
               "r"(src_bytes));
}
__device__ __forceinline__ void CpAsyncCommit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int kPending>
__device__ __forceinline__ void CpAsyncWait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending) : "memory");
}

__device__ __forceinline__ void LdMatrixX4(uint32_t (&r)[4], const void* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(SmemAddress(p)));
}
__device__ __forceinline__ void LdMatrixX4Trans(uint32_t (&r)[4], const void* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(SmemAddress(p)));
}

// c[16x8] += a[16x16] * b[16x8], float32 accumulators.
template <typename T>
__device__ __forceinline__ void Mma(float (&c)[4], const uint32_t (&a)[4], uint32_t b0,
                                    uint32_t b1) {
  if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, "
        "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  } else {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, "
        "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
}

// 2^x; ex2.approx maps -inf to +0, which the masking relies on.
__device__ __forceinline__ float Exp2(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
  return y;
}

// Two floats as one register of two 16-bit values, the lower column first.
template <typename T>
__device__ __forceinline__ uint32_t PackPair(float lo, float hi) {
  uint32_t bits;
  if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    const __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
    memcpy(&bits, &v, 4);
  } else {
    const __half2 v = __floats2half2_rn(lo, hi);
    memcpy(&bits, &v, 4);
  }
  return bits;
}

// ---- Tile loads: kRows rows of one head's kHeadDim columns ----

// Copies rows [row0, row0 + kRows) of the sequence (those >= len become
// zeros) from column `col` of qkv into smem rows of kStride elements.
template <typename T, int kHeadDim, int kRows>
__device__ __forceinline__ void LoadTile(T* smem, const T* qkv, int64_t seq_start, int row0,
                                         int len, int stride, int col) {
  constexpr int kChunks = kHeadDim / 8;  // 16-byte chunks per row
  constexpr int kStride = Smem<kHeadDim>::kStride;
  static_assert(kRows * kChunks % kThreads == 0, "every thread copies the same count");
#pragma unroll
  for (int it = 0; it < kRows * kChunks / kThreads; ++it) {
    const int i = it * kThreads + threadIdx.x;
    const int r = i / kChunks;
    const int c = (i % kChunks) * 8;
    const bool valid = row0 + r < len;
    // A row past the end is not read (0 source bytes); its address is any
    // valid one, the sequence's first row.
    const T* src = qkv + (seq_start + (valid ? row0 + r : 0)) * stride + col + c;
    CpAsync16(smem + r * kStride + c, src, valid ? 16 : 0);
  }
}

// ---- The kernel ----

template <typename T, int kHeadDim>
__global__ void __launch_bounds__(kThreads) FlashAttentionKernel(const Params p) {
  using S = Smem<kHeadDim>;
  constexpr int kStride = S::kStride;
  constexpr int kDimSteps = kHeadDim / 16;  // k-steps of Q K^T
  constexpr int kKeyTiles8 = kBlockN / 8;   // n-tiles of S
  constexpr int kDimTiles8 = kHeadDim / 8;  // n-tiles of O

  extern __shared__ __align__(16) unsigned char smem_raw[];
  T* sQ = reinterpret_cast<T*>(smem_raw);
  T* sK = sQ + S::kQ;         // 2 stages
  T* sV = sK + 2 * S::kTile;  // 2 stages

  // Which sequence and query tile: the largest b with V(b) <= blockIdx.x.
  const int v = static_cast<int>(blockIdx.x);
  int lo = 0, hi = p.num_sequences - 1;
  while (lo < hi) {
    const int mid = (lo + hi + 1) / 2;
    if (p.cu_seqlens[mid] / kBlockM + mid <= v) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  const int b = lo;
  const int64_t seq_start = p.cu_seqlens[b];
  const int len = p.cu_seqlens[b + 1] - p.cu_seqlens[b];
  const int q0 = (v - (p.cu_seqlens[b] / kBlockM + b)) * kBlockM;
  if (q0 >= len) return;  // the spare virtual index of this sequence: whole block leaves

  const int head = blockIdx.y;
  const int stride = 3 * p.hidden;
  const int q_col = head * kHeadDim;
  const int k_col = p.hidden + q_col;
  const int v_col = 2 * p.hidden + q_col;
  const T* qkv = static_cast<const T*>(p.qkv);
  const bool local = p.half_window >= 0;
  const int w = p.half_window;

  // Key tiles that can hold an allowed key for some query of this tile.
  const int q_last = min(q0 + kBlockM, len) - 1;
  const int key_begin = local ? max(0, q0 - w) : 0;
  const int key_end = local ? min(len, q_last + w + 1) : len;  // exclusive
  const int tile_begin = key_begin / kBlockN;
  const int tile_end = (key_end + kBlockN - 1) / kBlockN;

  const int warp = threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  const int group = lane / 4;      // row within an 8-row half of the mma tile
  const int quad_lane = lane % 4;  // column pair within an 8-column n-tile

  LoadTile<T, kHeadDim, kBlockM>(sQ, qkv, seq_start, q0, len, stride, q_col);
  LoadTile<T, kHeadDim, kBlockN>(sK, qkv, seq_start, tile_begin * kBlockN, len, stride, k_col);
  LoadTile<T, kHeadDim, kBlockN>(sV, qkv, seq_start, tile_begin * kBlockN, len, stride, v_col);
  CpAsyncCommit();

  uint32_t q_frag[kDimSteps][4];
  float o_acc[kDimTiles8][4];
#pragma unroll
  for (int d = 0; d < kDimTiles8; ++d) {
#pragma unroll
    for (int e = 0; e < 4; ++e) o_acc[d][e] = 0.0f;
  }
  // Running max (raw scores) and this thread's share of the running sum, for
  // rows group and group + 8 of the warp's 16.
  float row_max[2] = {-INFINITY, -INFINITY};
  float row_sum[2] = {0.0f, 0.0f};

  for (int tile = tile_begin; tile < tile_end; ++tile) {
    const int stage = (tile - tile_begin) & 1;
    if (tile + 1 < tile_end) {
      const int next = 1 - stage;
      LoadTile<T, kHeadDim, kBlockN>(sK + next * S::kTile, qkv, seq_start, (tile + 1) * kBlockN,
                                     len, stride, k_col);
      LoadTile<T, kHeadDim, kBlockN>(sV + next * S::kTile, qkv, seq_start, (tile + 1) * kBlockN,
                                     len, stride, v_col);
    }
    CpAsyncCommit();  // possibly empty: keeps "all but the newest group" meaning this tile
    CpAsyncWait<1>();
    __syncthreads();

    if (tile == tile_begin) {
      // Q stays in registers for the whole key loop.
#pragma unroll
      for (int ks = 0; ks < kDimSteps; ++ks) {
        LdMatrixX4(q_frag[ks], sQ + (warp * 16 + lane % 16) * kStride + ks * 16 + (lane / 16) * 8);
      }
    }
    const T* k_tile = sK + stage * S::kTile;
    const T* v_tile = sV + stage * S::kTile;

    // S = Q K^T for this warp's 16 rows and the tile's 64 keys.
    float s[kKeyTiles8][4];
#pragma unroll
    for (int n = 0; n < kKeyTiles8; ++n) {
#pragma unroll
      for (int e = 0; e < 4; ++e) s[n][e] = 0.0f;
    }
#pragma unroll
    for (int ks = 0; ks < kDimSteps; ++ks) {
#pragma unroll
      for (int np = 0; np < kKeyTiles8 / 2; ++np) {
        // Matrices: keys +0..7 dims +0..7 | keys +0..7 dims +8..15 |
        //           keys +8..15 dims +0..7 | keys +8..15 dims +8..15.
        const int m = lane / 8;
        const int key = np * 16 + (m / 2) * 8 + lane % 8;
        const int dim = ks * 16 + (m % 2) * 8;
        uint32_t kf[4];
        LdMatrixX4(kf, k_tile + key * kStride + dim);
        Mma<T>(s[2 * np], q_frag[ks], kf[0], kf[1]);
        Mma<T>(s[2 * np + 1], q_frag[ks], kf[2], kf[3]);
      }
    }

    // Mask where the tile crosses the sequence end or the window edge.
    const int key0 = tile * kBlockN;
    const bool needs_mask =
        key0 + kBlockN > len ||
        (local && ((q0 + kBlockM - 1) - key0 > w || (key0 + kBlockN - 1) - q0 > w));
    if (needs_mask) {
#pragma unroll
      for (int n = 0; n < kKeyTiles8; ++n) {
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          const int i = q0 + warp * 16 + group + (e >= 2 ? 8 : 0);
          const int j = key0 + n * 8 + quad_lane * 2 + (e & 1);
          const bool allowed = j < len && (!local || abs(i - j) <= w);
          if (!allowed) s[n][e] = -INFINITY;
        }
      }
    }

    // Online softmax: new running max per row (the 4 lanes of a quad share
    // a row), rescale what was accumulated, exponentiate this tile.
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      float tile_max = -INFINITY;
#pragma unroll
      for (int n = 0; n < kKeyTiles8; ++n) {
        tile_max = fmaxf(tile_max, fmaxf(s[n][2 * r], s[n][2 * r + 1]));
      }
      tile_max = fmaxf(tile_max, __shfl_xor_sync(0xffffffffu, tile_max, 1));
      tile_max = fmaxf(tile_max, __shfl_xor_sync(0xffffffffu, tile_max, 2));
      const float new_max = fmaxf(row_max[r], tile_max);
      // A row with no allowed key yet keeps max -inf: exponentiate against 0
      // so that exp2(-inf - 0) = 0 instead of exp2(-inf + inf) = NaN.
      const float reference = new_max == -INFINITY ? 0.0f : new_max * p.scale_log2;
      const float correction = Exp2(row_max[r] * p.scale_log2 - reference);
      row_max[r] = new_max;
      float sum = 0.0f;
#pragma unroll
      for (int n = 0; n < kKeyTiles8; ++n) {
#pragma unroll
        for (int e = 2 * r; e < 2 * r + 2; ++e) {
          s[n][e] = Exp2(fmaf(s[n][e], p.scale_log2, -reference));
          sum += s[n][e];
        }
      }
      row_sum[r] = row_sum[r] * correction + sum;
#pragma unroll
      for (int d = 0; d < kDimTiles8; ++d) {
        o_acc[d][2 * r] *= correction;
        o_acc[d][2 * r + 1] *= correction;
      }
    }

    // O += P V. The accumulator layout of two adjacent 8-key n-tiles is the
    // A-fragment layout of one 16-key k-step, so P never leaves registers.
#pragma unroll
    for (int kk = 0; kk < kBlockN / 16; ++kk) {
      uint32_t pf[4];
      pf[0] = PackPair<T>(s[2 * kk][0], s[2 * kk][1]);
      pf[1] = PackPair<T>(s[2 * kk][2], s[2 * kk][3]);
      pf[2] = PackPair<T>(s[2 * kk + 1][0], s[2 * kk + 1][1]);
      pf[3] = PackPair<T>(s[2 * kk + 1][2], s[2 * kk + 1][3]);
#pragma unroll
      for (int dp = 0; dp < kDimTiles8 / 2; ++dp) {
        // Transposed matrices: keys +0..7 dims +0..7 | keys +8..15 dims +0..7 |
        //                      keys +0..7 dims +8..15 | keys +8..15 dims +8..15.
        const int m = lane / 8;
        const int key = kk * 16 + (m % 2) * 8 + lane % 8;
        const int dim = dp * 16 + (m / 2) * 8;
        uint32_t vf[4];
        LdMatrixX4Trans(vf, v_tile + key * kStride + dim);
        Mma<T>(o_acc[2 * dp], pf, vf[0], vf[1]);
        Mma<T>(o_acc[2 * dp + 1], pf, vf[2], vf[3]);
      }
    }
    __syncthreads();  // every warp is done with this stage before it is refilled
  }

  // Divide by the full row sums and write the real rows.
  T* out = static_cast<T*>(p.out);
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    float total = row_sum[r];
    total += __shfl_xor_sync(0xffffffffu, total, 1);
    total += __shfl_xor_sync(0xffffffffu, total, 2);
    const float inv = total > 0.0f ? 1.0f / total : 0.0f;
    const int i = q0 + warp * 16 + group + 8 * r;
    if (i >= len) continue;
    T* row = out + (seq_start + i) * p.hidden + q_col;
#pragma unroll
    for (int d = 0; d < kDimTiles8; ++d) {
      const uint32_t bits = PackPair<T>(o_acc[d][2 * r] * inv, o_acc[d][2 * r + 1] * inv);
      *reinterpret_cast<uint32_t*>(row + d * 8 + quad_lane * 2) = bits;
    }
  }
}

template <typename T, int kHeadDim>
std::string Launch(const AttentionArgs& args, cudaStream_t stream) {
  constexpr size_t kBytes = Smem<kHeadDim>::kBytes;
  auto kernel = FlashAttentionKernel<T, kHeadDim>;
  // Above 48 KB a block's dynamic shared memory must be opted into.
  if (kBytes > 48 * 1024) {
    MBSERVE_CUDA_CHECK(
        cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kBytes));
  }
  const int64_t blocks = static_cast<int64_t>(args.num_tokens) / kBlockM + args.num_sequences;
  if (blocks > 0x7fffffffLL || args.num_heads > 65535) {
    return "Attention: batch too large for one launch";
  }
  Params p;
  p.qkv = args.qkv;
  p.out = args.out;
  p.cu_seqlens = args.cu_seqlens;
  p.num_sequences = args.num_sequences;
  p.hidden = args.num_heads * kHeadDim;
  p.half_window = args.half_window;
  p.scale_log2 = kLog2e / sqrtf(static_cast<float>(kHeadDim));
  const dim3 grid(static_cast<unsigned int>(blocks), static_cast<unsigned int>(args.num_heads));
  kernel<<<grid, kThreads, kBytes, stream>>>(p);
  MBSERVE_CHECK_LAUNCH("FlashAttentionKernel");
  return "";
}

}  // namespace

bool FlashAttentionSupports(const AttentionArgs& args) {
  if (args.head_dim != 32 && args.head_dim != 64 && args.head_dim != 128) return false;
  if (args.dtype != DType::kBF16 && args.dtype != DType::kF16) return false;
  // 16-byte cp.async of every row (the row stride 3H is a multiple of 8
  // elements for these head sizes) and 4-byte stores of output pairs.
  return reinterpret_cast<uintptr_t>(args.qkv) % 16 == 0 &&
         reinterpret_cast<uintptr_t>(args.out) % 4 == 0;
}

std::string LaunchFlashAttention(const AttentionArgs& args, cudaStream_t stream) {
  if (!FlashAttentionSupports(args)) {
    return "Attention: the flash kernel takes head_dim 32, 64 or 128 in bf16 or f16 with "
           "16-byte aligned rows; got head_dim " +
           std::to_string(args.head_dim);
  }
  if (args.num_sequences == 0 || args.num_tokens == 0) return "";
  MBSERVE_DISPATCH_HALF("Attention", args.dtype, {
    switch (args.head_dim) {
      case 32:
        return Launch<T, 32>(args, stream);
      case 64:
        return Launch<T, 64>(args, stream);
      default:
        return Launch<T, 128>(args, stream);
    }
  });
  return "";
}

std::string LaunchAttention(const AttentionArgs& args, cudaStream_t stream) {
  if (FlashAttentionSupports(args)) return LaunchFlashAttention(args, stream);
  return LaunchReferenceAttention(args, stream);
}

}  // namespace mbserve::cuda
