// The CPU GEMM kernels' speed against what the cores can do at best.
//
// For each kernel path this CPU runs (AVX2 float32, AVX-512 float32,
// AVX-512-BF16, AMX-BF16), times cpu_gemm::Gemm on ModernBERT-base's weight
// shapes (m = 512 rows, weights packed once as at load) on 1 and on N
// threads, and times a register-only loop of the path's multiply-add
// instruction (VFMADD231PS ymm / zmm, VDPBF16PS zmm, TDPBF16PS on tiles) on
// one thread: the peak a kernel of that path could reach on this core. The
// ratio of the bfloat16 peak to the float32 peak bounds how much faster the
// bfloat16 engine can be than the float32 one when GEMMs dominate.
//
// One-thread figures are timed by the thread's CPU time, so other processes
// on the machine do not inflate them; N-thread figures are wall time and
// need an idle machine.
//
//   cpu_gemm_bench [--threads N] [--repeats R]
// Prints one JSON object; bench/cpu_gemm_bench.py records it.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "engine/ops/cpu_gemm/gemm.h"
#include "engine/ops/cpu_gemm/isa.h"
#include "engine/ops/cpu_gemm/kernels.h"
#include "engine/ops/cpu_gemm/packed_matrix.h"
#include "nlohmann/json.hpp"

namespace mbserve {
namespace {

using Clock = std::chrono::steady_clock;
using cpu_gemm::CpuIsa;
using cpu_gemm::GemmDType;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

// Independent accumulator chains: more than latency x issue width of every
// path's instruction, so the loop is bound by throughput alone, and few
// enough to stay in registers with the two operands (AVX2 has 16 vector
// registers, AVX-512 has 32).
constexpr int kYmmChains = 12;
constexpr int kZmmChains = 16;
constexpr int64_t kPeakIterations = 20'000'000;

__attribute__((target("avx2,fma"))) float Fma256Loop(int64_t iterations) {
  __m256 acc[kYmmChains];
  for (int j = 0; j < kYmmChains; ++j) acc[j] = _mm256_set1_ps(static_cast<float>(j));
  const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t i = 0; i < iterations; ++i) {
    for (int j = 0; j < kYmmChains; ++j) acc[j] = _mm256_fmadd_ps(a, acc[j], b);
  }
  float sum = 0.0f;
  for (int j = 0; j < kYmmChains; ++j) sum += _mm256_cvtss_f32(acc[j]);
  return sum;
}

// The sum of lane 0 of each chain, so that no chain is dead code.
__attribute__((target("avx512f"))) float FirstLanes(const __m512 (&acc)[kZmmChains]) {
  float sum = 0.0f;
  for (int j = 0; j < kZmmChains; ++j) sum += _mm512_cvtss_f32(acc[j]);
  return sum;
}

__attribute__((target("avx512f"))) float Fma512Loop(int64_t iterations) {
  __m512 acc[kZmmChains];
  for (int j = 0; j < kZmmChains; ++j) acc[j] = _mm512_set1_ps(static_cast<float>(j));
  const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t i = 0; i < iterations; ++i) {
    for (int j = 0; j < kZmmChains; ++j) acc[j] = _mm512_fmadd_ps(a, acc[j], b);
  }
  return FirstLanes(acc);
}

__attribute__((target("avx512f,avx512bf16"))) float Dpbf16Loop(int64_t iterations) {
  __m512 acc[kZmmChains];
  for (int j = 0; j < kZmmChains; ++j) acc[j] = _mm512_set1_ps(static_cast<float>(j));
  const __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(0.5f), _mm512_set1_ps(0.25f));
  const __m512bh b = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1e-7f), _mm512_set1_ps(1e-7f));
  for (int64_t i = 0; i < iterations; ++i) {
    for (int j = 0; j < kZmmChains; ++j) acc[j] = _mm512_dpbf16_ps(acc[j], a, b);
  }
  return FirstLanes(acc);
}

// Accumulator tiles 0-5 fed by tiles 6 (A) and 7 (B): six independent
// chains of TDPBF16PS, each 16 x 16 outputs of 32 multiply-adds.
constexpr int kAccumulatorTiles = 6;

__attribute__((target("amx-tile,amx-bf16"))) float TileDpbf16Loop(int64_t iterations) {
  cpu_gemm::kernels::ConfigureAmxTiles();
  alignas(64) uint16_t operand[16 * 32];
  std::fill(std::begin(operand), std::end(operand), cpu_gemm::ToBFloat16(1e-7f));
  _tile_loadd(6, operand, 64);
  _tile_loadd(7, operand, 64);
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  _tile_zero(4);
  _tile_zero(5);
  for (int64_t i = 0; i < iterations; ++i) {
    _tile_dpbf16ps(0, 6, 7);
    _tile_dpbf16ps(1, 6, 7);
    _tile_dpbf16ps(2, 6, 7);
    _tile_dpbf16ps(3, 6, 7);
    _tile_dpbf16ps(4, 6, 7);
    _tile_dpbf16ps(5, 6, 7);
  }
  alignas(64) float first[16 * 16];
  _tile_stored(0, first, 64);
  _tile_release();
  return first[0];
}

// GFLOP/s of one thread running `loop`, counting a multiply and an add per
// multiply-add (VDPBF16PS does two per lane).
template <typename Loop>
double PeakGflops(Loop loop, int chains, int lanes, int multiply_adds_per_lane) {
  loop(kPeakIterations / 10);  // clock ramp-up
  const double start = ThreadCpuSeconds();
  volatile float sink = loop(kPeakIterations);
  (void)sink;
  const double flops =
      2.0 * multiply_adds_per_lane * lanes * chains * static_cast<double>(kPeakIterations);
  return flops / (ThreadCpuSeconds() - start) / 1e9;
}

struct Path {
  const char* name;
  CpuIsa isa;
  GemmDType dtype;
};

struct Shape {
  const char* weight;  // which of ModernBERT-base's linear layers
  int64_t n, k;
};

// ModernBERT-base: hidden 768, intermediate 1152 (GeGLU doubles Wi's rows).
constexpr Shape kShapes[] = {
    {"attention Wqkv", 3 * 768, 768},
    {"attention Wo", 768, 768},
    {"mlp Wi", 2 * 1152, 768},
    {"mlp Wo", 768, 1152},
};
constexpr int64_t kRows = 512;

// Median GFLOP/s of `repeats` timed GEMMs of kRows rows on `threads` threads.
double GemmGflops(const Path& path, const Shape& shape, int threads, int repeats) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> weight(static_cast<size_t>(shape.n * shape.k));
  std::vector<float> a(static_cast<size_t>(kRows * shape.k));
  for (float& v : weight) v = dist(rng);
  for (float& v : a) v = dist(rng);
  std::vector<float> c(static_cast<size_t>(kRows * shape.n));
  absl::StatusOr<cpu_gemm::PackedMatrix> packed =
      cpu_gemm::PackedMatrix::FromRows(weight.data(), shape.n, shape.k, shape.k, path.dtype);
  if (!packed.ok()) {
    std::fprintf(stderr, "cpu_gemm_bench: %s\n", packed.status().ToString().c_str());
    std::exit(1);
  }
  const cpu_gemm::GemmOperands operands{a.data(), shape.k, kRows, c.data(), shape.n, false};
  omp_set_num_threads(threads);
  std::vector<double> gflops;
  for (int r = 0; r < repeats + 1; ++r) {
    double seconds = 0.0;
    if (threads == 1) {
      const double start = ThreadCpuSeconds();
      cpu_gemm::Gemm(path.isa, operands, *packed, /*parallel=*/false);
      seconds = ThreadCpuSeconds() - start;
    } else {
      const Clock::time_point start = Clock::now();
      cpu_gemm::Gemm(path.isa, operands, *packed, /*parallel=*/true);
      seconds = SecondsSince(start);
    }
    if (r > 0) gflops.push_back(2.0 * kRows * shape.n * shape.k / seconds / 1e9);  // r 0: warm-up
  }
  std::sort(gflops.begin(), gflops.end());
  return gflops[gflops.size() / 2];
}

int Main(int argc, char** argv) {
  int threads = omp_get_max_threads();
  int repeats = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--threads") == 0) {
      threads = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--repeats") == 0) {
      repeats = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: cpu_gemm_bench [--threads N] [--repeats R]\n");
      return 2;
    }
  }
  if (threads < 1 || repeats < 1) {
    std::fprintf(stderr, "cpu_gemm_bench: --threads and --repeats must be at least 1\n");
    return 2;
  }
  const absl::StatusOr<CpuIsa> widest = cpu_gemm::ProcessCpuIsa();
  if (!widest.ok()) {
    std::fprintf(stderr, "cpu_gemm_bench: %s\n", widest.status().ToString().c_str());
    return 1;
  }
  const bool has_avx512 = *widest != CpuIsa::kAvx2;
  const bool has_amx = *widest == CpuIsa::kAmx;
  std::vector<Path> paths = {{"avx2 float32", CpuIsa::kAvx2, GemmDType::kFloat32}};
  if (has_avx512) paths.push_back({"avx512 float32", CpuIsa::kAvx512, GemmDType::kFloat32});
  if (cpu_gemm::CpuHasBf16Gemm()) {
    paths.push_back({"avx512 bfloat16", CpuIsa::kAvx512, GemmDType::kBFloat16});
  }
  if (has_amx) paths.push_back({"amx bfloat16", CpuIsa::kAmx, GemmDType::kBFloat16});

  nlohmann::json out;
  out["rows"] = kRows;
  out["threads"] = threads;
  out["repeats"] = repeats;
  nlohmann::json& peaks = out["peak_gflops_one_thread"];
  peaks["avx2 float32"] = PeakGflops(Fma256Loop, kYmmChains, 8, 1);
  if (has_avx512) peaks["avx512 float32"] = PeakGflops(Fma512Loop, kZmmChains, 16, 1);
  if (cpu_gemm::CpuHasBf16Gemm()) {
    peaks["avx512 bfloat16"] = PeakGflops(Dpbf16Loop, kZmmChains, 16, 2);
  }
  if (has_amx) peaks["amx bfloat16"] = PeakGflops(TileDpbf16Loop, kAccumulatorTiles, 16 * 16, 32);

  for (const Path& path : paths) {
    for (const Shape& shape : kShapes) {
      for (int t : {1, threads}) {
        out["gemm"].push_back({{"path", path.name},
                               {"weight", shape.weight},
                               {"m", kRows},
                               {"n", shape.n},
                               {"k", shape.k},
                               {"threads", t},
                               {"gflops", GemmGflops(path, shape, t, repeats)}});
        if (threads == 1) break;
      }
    }
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace
}  // namespace mbserve

int main(int argc, char** argv) { return mbserve::Main(argc, argv); }
