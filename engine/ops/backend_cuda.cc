// CudaBackend: device setup, failure recording, and each op's translation
// from Tensors to the kernel launchers of kernels_cuda.h. Memory and copies
// are in memory_cuda.cc.
#include "engine/ops/backend_cuda.h"

#include "absl/strings/str_cat.h"
#include "engine/ops/cuda_check.h"

namespace mbserve {

absl::StatusOr<int> CudaDeviceCount() {
  int count = 0;
  const cudaError_t result = cudaGetDeviceCount(&count);
  if (result == cudaErrorNoDevice) return 0;
  if (result == cudaErrorInsufficientDriver) {
    return absl::FailedPreconditionError(
        absl::StrCat("no CUDA driver: ", cudaGetErrorString(result),
                     " (install the NVIDIA driver, or run with --device cpu)"));
  }
  if (result != cudaSuccess) {
    return absl::FailedPreconditionError(absl::StrCat(
        "CUDA is unavailable: ", cudaGetErrorName(result), ": ", cudaGetErrorString(result)));
  }
  return count;
}

absl::StatusOr<std::unique_ptr<CudaBackend>> CudaBackend::Create(int index) {
  int count = 0;
  if (absl::StatusOr<int> found = CudaDeviceCount(); found.ok()) {
    count = *found;
  } else {
    return found.status();
  }
  if (index < 0 || index >= count) {
    return absl::FailedPreconditionError(
        absl::StrCat("no CUDA device ", index, " (found ", count, ")"));
  }
  std::unique_ptr<CudaBackend> backend(new CudaBackend(index));
  if (absl::Status status = backend->Init(); !status.ok()) return status;
  return backend;
}

absl::Status CudaBackend::Init() {
  cudaDeviceProp props{};
  std::string error = cuda::CheckResult(cudaSetDevice(index_), "cudaSetDevice", __FILE__, __LINE__);
  if (error.empty()) {
    error = cuda::CheckResult(cudaGetDeviceProperties(&props, index_), "cudaGetDeviceProperties",
                              __FILE__, __LINE__);
  }
  if (!error.empty()) return absl::FailedPreconditionError(error);
  name_ = props.name;
  // mma.sync on bf16, ldmatrix and cp.async need Ampere (sm_80) or newer.
  if (props.major < 8) {
    return absl::FailedPreconditionError(absl::StrCat("CUDA device ", index_, " (", name_,
                                                      ") has compute capability ", props.major, ".",
                                                      props.minor, "; mbserve needs 8.0 or newer"));
  }
  const auto check = [&](cudaError_t result, const char* call) {
    if (error.empty()) error = cuda::CheckResult(result, call, __FILE__, __LINE__);
  };
  check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  for (int i = 0; i < kStagingSlots; ++i) {
    check(cudaHostAlloc(&staging_[i], kStagingSlotBytes, cudaHostAllocDefault), "cudaHostAlloc");
    check(cudaEventCreateWithFlags(&staging_done_[i], cudaEventDisableTiming),
          "cudaEventCreateWithFlags");
  }
  if (error.empty()) error = gemm_.Init(kGemmWorkspaceBytes);
  if (!error.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("CUDA device ", index_, " (", name_, "): ", error));
  }
  return absl::OkStatus();
}

CudaBackend::~CudaBackend() {
  cudaSetDevice(index_);
  if (stream_ != nullptr) cudaStreamSynchronize(stream_);
  for (int i = 0; i < kStagingSlots; ++i) {
    if (staging_done_[i] != nullptr) cudaEventDestroy(staging_done_[i]);
    if (staging_[i] != nullptr) cudaFreeHost(staging_[i]);
  }
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
}

absl::Status CudaBackend::UseDevice() {
  const std::string error =
      cuda::CheckResult(cudaSetDevice(index_), "cudaSetDevice", __FILE__, __LINE__);
  if (!error.empty()) return absl::InternalError(error);
  return absl::OkStatus();
}

void CudaBackend::Record(const std::string& error) {
  if (error.empty()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (error_.empty()) error_ = error;
}

absl::Status CudaBackend::TakeError() {
  std::string error;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    error.swap(error_);
  }
  if (error.empty()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("CUDA device ", index_, ": ", error));
}

namespace {
// "" when the device is current, else the message.
std::string Current(int index) {
  return cuda::CheckResult(cudaSetDevice(index), "cudaSetDevice", __FILE__, __LINE__);
}
}  // namespace

void CudaBackend::Linear(const Tensor& x, const LinearWeight& w, const Tensor& out,
                         bool accumulate) {
  std::string error = Current(index_);
  if (error.empty()) {
    error = gemm_.Run(x.dtype(), x.raw(), w.dense().raw(), out.raw(), x.rows(), w.out_features(),
                      x.cols(), accumulate, stream_);
  }
  Record(error);
}

void CudaBackend::AddBias(const Tensor& x, const Tensor& bias) {
  std::string error = Current(index_);
  if (error.empty()) {
    error = cuda::LaunchAddBias(x.dtype(), x.raw(), bias.raw(), x.rows(), x.cols(), stream_);
  }
  Record(error);
}

void CudaBackend::EmbeddingLayerNorm(const Tensor& ids, const Tensor& table, const Tensor& gamma,
                                     float eps, const Tensor& out) {
  std::string error = Current(index_);
  if (error.empty()) {
    error =
        cuda::LaunchEmbeddingLayerNorm(table.dtype(), ids.data<int32_t>(), table.raw(), gamma.raw(),
                                       eps, out.rows(), out.cols(), out.raw(), stream_);
  }
  Record(error);
}

void CudaBackend::LayerNorm(const Tensor& x, const Tensor& gamma, const Tensor& beta, float eps,
                            const Tensor& out) {
  std::string error = Current(index_);
  if (error.empty()) {
    error =
        cuda::LaunchLayerNorm(x.dtype(), x.raw(), gamma.raw(), beta.empty() ? nullptr : beta.raw(),
                              eps, x.rows(), x.cols(), out.raw(), stream_);
  }
  Record(error);
}

void CudaBackend::SumEmbeddings(const Tensor& ids, const Tensor& positions, const Tensor& types,
                                const Tensor& word, const Tensor& position, const Tensor& type,
                                const Tensor& out) {
  std::string error = Current(index_);
  if (error.empty()) {
    error = cuda::LaunchSumEmbeddings(word.dtype(), ids.data<int32_t>(), positions.data<int32_t>(),
                                      types.data<int32_t>(), word.raw(), position.raw(), type.raw(),
                                      out.rows(), out.cols(), out.raw(), stream_);
  }
  Record(error);
}

void CudaBackend::ApplyRope(const Tensor& qkv, const Tensor& positions, const Tensor& cos,
                            const Tensor& sin, int num_heads) {
  std::string error = Current(index_);
  if (error.empty()) {
    error = cuda::LaunchRope(qkv.dtype(), qkv.raw(), positions.data<int32_t>(), cos.data<float>(),
                             sin.data<float>(), positions.numel(), num_heads,
                             static_cast<int>(2 * cos.cols()), cos.dim(0), stream_);
  }
  Record(error);
}

void CudaBackend::Attention(const Tensor& qkv, const SequenceLayout& layout, int num_heads,
                            int half_window, const Tensor& out) {
  std::string error = Current(index_);
  if (error.empty()) {
    cuda::AttentionArgs args;
    args.dtype = qkv.dtype();
    args.qkv = qkv.raw();
    args.cu_seqlens = layout.cu_seqlens.data<int32_t>();
    args.num_sequences = layout.num_sequences();
    args.num_tokens = layout.num_tokens();
    args.max_seqlen = layout.max_seqlen;
    args.num_heads = num_heads;
    args.head_dim = static_cast<int>(qkv.cols() / 3 / num_heads);
    args.half_window = half_window;
    args.out = out.raw();
    error = cuda::LaunchAttention(args, stream_);
  }
  Record(error);
}

void CudaBackend::GeGlu(const Tensor& in, const Tensor& out) {
  std::string error = Current(index_);
  if (error.empty()) {
    error = cuda::LaunchGeGlu(in.dtype(), in.raw(), out.raw(), out.rows(), out.cols(), stream_);
  }
  Record(error);
}

void CudaBackend::Gelu(const Tensor& x) {
  std::string error = Current(index_);
  if (error.empty()) error = cuda::LaunchGelu(x.dtype(), x.raw(), x.numel(), stream_);
  Record(error);
}

void CudaBackend::Tanh(const Tensor& x) {
  std::string error = Current(index_);
  if (error.empty()) error = cuda::LaunchTanh(x.dtype(), x.raw(), x.numel(), stream_);
  Record(error);
}

void CudaBackend::Pool(const Tensor& hidden, const SequenceLayout& layout, bool mean,
                       const Tensor& out) {
  std::string error = Current(index_);
  if (error.empty()) {
    error = cuda::LaunchPool(hidden.dtype(), hidden.raw(), layout.cu_seqlens.data<int32_t>(),
                             layout.num_sequences(), hidden.cols(), mean, out.raw(), stream_);
  }
  Record(error);
}

void CudaBackend::L2Normalize(const Tensor& x) {
  std::string error = Current(index_);
  if (error.empty()) {
    error = cuda::LaunchL2Normalize(x.dtype(), x.raw(), x.rows(), x.cols(), stream_);
  }
  Record(error);
}

}  // namespace mbserve
