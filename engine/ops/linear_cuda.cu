// GEMMs through cuBLASLt, and the bias add.
//
// Row-major out[M, N] = x[M, K] @ w[N, K]^T is, in cuBLAS's column-major
// terms, out^T[N, M] = w^T^T[N, K] @ x^T[K, M]: A = w with op T, B = x with
// op N ("TN", the layout tensor cores like best), all leading dimensions the
// row lengths. bf16/fp16 in and out, float32 compute and scale.
//
// Plans (descriptors, layouts, algorithm) are cached per shape. The
// algorithm of a weight shape (N, K, dtype, alignments) is the heuristic's
// first choice for kReferenceRows rows with split-K excluded, and is reused
// for every M it supports: a row's arithmetic then does not depend on how
// many other rows share the batch.
#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>

#include "engine/ops/cuda_device.cuh"
#include "engine/ops/cuda_gemm.h"

namespace mbserve::cuda {
namespace {

constexpr int64_t kReferenceRows = 8192;

cudaDataType_t CudaType(DType dtype) { return dtype == DType::kBF16 ? CUDA_R_16BF : CUDA_R_16F; }

// The largest power of two up to 256 that divides the address: cuBLASLt
// assumes 256-byte alignment unless told otherwise.
uint32_t Alignment(const void* p) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  uint32_t alignment = 256;
  while (alignment > 1 && a % alignment != 0) alignment /= 2;
  return alignment;
}

struct WeightKey {
  int64_t n, k;
  DType dtype;
  uint32_t align_x, align_w, align_out;
  auto Tie() const { return std::tie(n, k, dtype, align_x, align_w, align_out); }
  bool operator<(const WeightKey& o) const { return Tie() < o.Tie(); }
};

struct PlanKey {
  WeightKey weight;
  int64_t m;
  bool operator<(const PlanKey& o) const { return std::tie(weight, m) < std::tie(o.weight, o.m); }
};

struct Plan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulAlgo_t algo{};
};

void DestroyPlan(Plan& plan) {
  if (plan.a) cublasLtMatrixLayoutDestroy(plan.a);
  if (plan.b) cublasLtMatrixLayoutDestroy(plan.b);
  if (plan.c) cublasLtMatrixLayoutDestroy(plan.c);
  if (plan.desc) cublasLtMatmulDescDestroy(plan.desc);
  plan = Plan{};
}

}  // namespace

struct Gemm::State {
  cublasLtHandle_t handle = nullptr;
  void* workspace = nullptr;
  size_t workspace_bytes = 0;
  std::mutex mutex;  // plans may be built from two engine threads on one device
  std::map<WeightKey, cublasLtMatmulAlgo_t> algos;
  std::map<PlanKey, Plan> plans;

  ~State() {
    for (auto& [key, plan] : plans) DestroyPlan(plan);
    if (workspace) cudaFree(workspace);
    if (handle) cublasLtDestroy(handle);
  }

  // Descriptors and layouts for m rows.
  std::string Describe(const WeightKey& key, int64_t m, Plan& plan) {
    const cudaDataType_t type = CudaType(key.dtype);
    MBSERVE_CUDA_CHECK(cublasLtMatmulDescCreate(&plan.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    const cublasOperation_t transpose = CUBLAS_OP_T, keep = CUBLAS_OP_N;
    MBSERVE_CUDA_CHECK(cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_TRANSA,
                                                      &transpose, sizeof(transpose)));
    MBSERVE_CUDA_CHECK(cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_TRANSB, &keep,
                                                      sizeof(keep)));
    MBSERVE_CUDA_CHECK(cublasLtMatrixLayoutCreate(&plan.a, type, key.k, key.n, key.k));
    MBSERVE_CUDA_CHECK(cublasLtMatrixLayoutCreate(&plan.b, type, key.k, m, key.k));
    MBSERVE_CUDA_CHECK(cublasLtMatrixLayoutCreate(&plan.c, type, key.n, m, key.n));
    return "";
  }

  // The heuristic's best algorithm for `plan`'s shape, split-K excluded.
  std::string Choose(const WeightKey& key, const Plan& plan, cublasLtMatmulAlgo_t* algo) {
    cublasLtMatmulPreference_t pref = nullptr;
    MBSERVE_CUDA_CHECK(cublasLtMatmulPreferenceCreate(&pref));
    const uint64_t ws = workspace_bytes;
    const uint32_t no_reduction = CUBLASLT_REDUCTION_SCHEME_NONE;
    const uint32_t align_a = key.align_w, align_b = key.align_x, align_c = key.align_out;
    std::string error;
    const auto set = [&](cublasLtMatmulPreferenceAttributes_t attr, const void* v, size_t size) {
      if (!error.empty()) return;
      error = CheckResult(cublasLtMatmulPreferenceSetAttribute(pref, attr, v, size),
                          "cublasLtMatmulPreferenceSetAttribute", __FILE__, __LINE__);
    };
    set(CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof(ws));
    set(CUBLASLT_MATMUL_PREF_REDUCTION_SCHEME_MASK, &no_reduction, sizeof(no_reduction));
    set(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &align_a, sizeof(align_a));
    set(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, &align_b, sizeof(align_b));
    set(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, &align_c, sizeof(align_c));
    set(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, &align_c, sizeof(align_c));
    cublasLtMatmulHeuristicResult_t result{};
    int found = 0;
    if (error.empty()) {
      error = CheckResult(cublasLtMatmulAlgoGetHeuristic(handle, plan.desc, plan.a, plan.b, plan.c,
                                                         plan.c, pref, 1, &result, &found),
                          "cublasLtMatmulAlgoGetHeuristic", __FILE__, __LINE__);
    }
    cublasLtMatmulPreferenceDestroy(pref);
    if (!error.empty()) return error;
    if (found == 0) {
      return "cuBLASLt has no algorithm for a " + std::to_string(key.n) + "x" +
             std::to_string(key.k) + " " + DTypeName(key.dtype) + " GEMM";
    }
    *algo = result.algo;
    return "";
  }

  // True when `algo` runs `plan` (every M the reference algorithm can take).
  bool Supports(const Plan& plan, const cublasLtMatmulAlgo_t& algo) {
    cublasLtMatmulHeuristicResult_t result{};
    if (cublasLtMatmulAlgoCheck(handle, plan.desc, plan.a, plan.b, plan.c, plan.c, &algo,
                                &result) != CUBLAS_STATUS_SUCCESS) {
      return false;
    }
    return result.workspaceSize <= workspace_bytes;
  }

  std::string GetPlan(const WeightKey& key, int64_t m, const Plan** out) {
    std::lock_guard<std::mutex> lock(mutex);
    const PlanKey plan_key{key, m};
    if (auto it = plans.find(plan_key); it != plans.end()) {
      *out = &it->second;
      return "";
    }
    auto algo_it = algos.find(key);
    if (algo_it == algos.end()) {
      Plan reference;
      std::string error = Describe(key, kReferenceRows, reference);
      cublasLtMatmulAlgo_t algo{};
      if (error.empty()) error = Choose(key, reference, &algo);
      DestroyPlan(reference);
      MBSERVE_CUDA_RETURN_IF_ERROR(error);
      algo_it = algos.emplace(key, algo).first;
    }
    Plan plan;
    std::string error = Describe(key, m, plan);
    if (error.empty()) {
      plan.algo = algo_it->second;
      // A row count the shared algorithm cannot take gets its own choice.
      if (!Supports(plan, plan.algo)) error = Choose(key, plan, &plan.algo);
    }
    if (!error.empty()) {
      DestroyPlan(plan);
      return error;
    }
    *out = &plans.emplace(plan_key, plan).first->second;
    return "";
  }
};

Gemm::Gemm() : state_(std::make_unique<State>()) {}
Gemm::~Gemm() = default;

std::string Gemm::Init(size_t workspace_bytes) {
  MBSERVE_CUDA_CHECK(cublasLtCreate(&state_->handle));
  MBSERVE_CUDA_CHECK(cudaMalloc(&state_->workspace, workspace_bytes));
  state_->workspace_bytes = workspace_bytes;
  return "";
}

size_t Gemm::cached_plans() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->plans.size();
}

std::string Gemm::Run(DType dtype, const void* x, const void* w, void* out, int64_t m, int64_t n,
                      int64_t k, bool accumulate, cudaStream_t stream) {
  if (dtype != DType::kBF16 && dtype != DType::kF16) return UnsupportedDType("Linear", dtype);
  if (m == 0 || n == 0) return "";
  if (state_->handle == nullptr) return "Linear: the cuBLASLt handle was not created";
  const WeightKey key{n, k, dtype, Alignment(x), Alignment(w), Alignment(out)};
  const Plan* plan = nullptr;
  MBSERVE_CUDA_RETURN_IF_ERROR(state_->GetPlan(key, m, &plan));
  const float alpha = 1.0f, beta = accumulate ? 1.0f : 0.0f;
  MBSERVE_CUDA_CHECK(cublasLtMatmul(state_->handle, plan->desc, &alpha, w, plan->a, x, plan->b,
                                    &beta, out, plan->c, out, plan->c, &plan->algo,
                                    state_->workspace, state_->workspace_bytes, stream));
  return "";
}

namespace {

constexpr int kBiasThreads = 256;

template <typename T>
__global__ void __launch_bounds__(kBiasThreads)
    AddBiasKernel(T* x, const T* bias, int64_t rows, int64_t cols) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * kBiasThreads + threadIdx.x;
  if (i >= rows * cols) return;
  x[i] = FromFloat<T>(ToFloat(x[i]) + ToFloat(bias[i % cols]));
}

}  // namespace

std::string LaunchAddBias(DType dtype, void* x, const void* bias, int64_t rows, int64_t cols,
                          cudaStream_t stream) {
  if (rows == 0 || cols == 0) return "";
  const unsigned int blocks = BlocksFor(rows * cols, kBiasThreads);
  if (blocks == 0) return "AddBias: too many elements for one launch";
  MBSERVE_DISPATCH_HALF("AddBias", dtype, {
    AddBiasKernel<T><<<blocks, kBiasThreads, 0, stream>>>(static_cast<T*>(x),
                                                          static_cast<const T*>(bias), rows, cols);
  });
  MBSERVE_CHECK_LAUNCH("AddBiasKernel");
  return "";
}

}  // namespace mbserve::cuda
