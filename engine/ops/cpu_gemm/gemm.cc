#include "engine/ops/cpu_gemm/gemm.h"

#include <algorithm>
#include <vector>

#include "engine/ops/cpu_gemm/kernels.h"

namespace mbserve::cpu_gemm {
namespace {

using kernels::GemmArgs;

// Work is cut into chunks of rows x groups of panels. A chunk's rows of A
// stay in cache while a thread sweeps its panels; a group's panels of B
// (8 x 16 columns x k) stay in L2 while the chunk's row tiles pass over them.
// Both sizes only decide who computes an element, never how.
constexpr int64_t kRowChunk = 96;  // a multiple of every kernel's tile rows
constexpr int64_t kPanelGroup = 8;
static_assert(kRowChunk % kernels::kAvx2Rows == 0 && kRowChunk % kernels::kAvx512Rows == 0 &&
              kRowChunk % kernels::kAmxRows == 0);

using BlockKernel = void (*)(const GemmArgs&, int64_t, int64_t, int64_t, int64_t);

BlockKernel KernelFor(CpuIsa isa, GemmDType dtype) {
  if (dtype == GemmDType::kBFloat16) {
    return isa == CpuIsa::kAmx ? kernels::GemmBlockAmxBf16 : kernels::GemmBlockAvx512Bf16;
  }
  return isa == CpuIsa::kAvx2 ? kernels::GemmBlockAvx2 : kernels::GemmBlockAvx512;
}

// A rounded to bfloat16, rows padded to the packed depth with zeros, and
// zero rows after the last up to a multiple of the AMX block (whose tiles
// load whole).
void RoundRowsToBFloat16(const GemmOperands& op, int64_t k, int64_t padded_k, bool parallel,
                         std::vector<uint16_t>& out) {
  const int64_t padded_m = (op.m + kernels::kAmxRows - 1) / kernels::kAmxRows * kernels::kAmxRows;
  out.resize(static_cast<size_t>(padded_m * padded_k));
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t r = 0; r < op.m; ++r) {
    const float* src = op.a + r * op.lda;
    uint16_t* dst = out.data() + r * padded_k;
    kernels::RoundToBFloat16Avx512(src, k, dst);
    std::fill(dst + k, dst + padded_k, uint16_t{0});
  }
  std::fill(out.begin() + op.m * padded_k, out.end(), uint16_t{0});
}

}  // namespace

void Gemm(CpuIsa isa, const GemmOperands& op, const PackedMatrix& b, bool parallel) {
  if (op.m == 0 || b.n() == 0) return;
  GemmArgs args;
  args.a = op.a;
  args.lda = op.lda;
  args.b = b.data();
  args.k = b.padded_k();
  args.n = b.n();
  args.c = op.c;
  args.ldc = op.ldc;
  args.accumulate = op.accumulate;
  // Per calling thread: the engine thread for Linear, each worker inside
  // attention's parallel region.
  thread_local std::vector<uint16_t> a_bf16;
  if (b.dtype() == GemmDType::kBFloat16) {
    RoundRowsToBFloat16(op, b.k(), b.padded_k(), parallel, a_bf16);
    args.a_bf16 = a_bf16.data();
    args.lda = b.padded_k();
  }
  const BlockKernel kernel = KernelFor(isa, b.dtype());
  const int64_t chunks = (op.m + kRowChunk - 1) / kRowChunk;
  const int64_t groups = (b.panels() + kPanelGroup - 1) / kPanelGroup;
  // Dynamic: the last chunk of rows is usually short, and a static split of
  // the chunk-major items would leave one thread with most of the full
  // chunks (at 128 rows: 96 rows on one thread, 32 on the other).
#pragma omp parallel for schedule(dynamic) if (parallel && chunks * groups > 1)
  for (int64_t item = 0; item < chunks * groups; ++item) {
    const int64_t m0 = (item / groups) * kRowChunk;
    const int64_t p0 = (item % groups) * kPanelGroup;
    kernel(args, m0, std::min(op.m, m0 + kRowChunk), p0, std::min(b.panels(), p0 + kPanelGroup));
  }
}

}  // namespace mbserve::cpu_gemm
