// The CUDA attention kernels' interface: the flash kernel (attention_cuda.cu)
// and the simple one (attention_reference_cuda.cu) share these arguments,
// and the tests launch each directly to compare them. Plain C++ for nvcc,
// and free of CUDA headers for the op (attention.cc) in every build.
#pragma once

#include <cstdint>
#include <string>

#include "engine/ops/cuda_stream.h"
#include "engine/tensor.h"

namespace mbserve::cuda {

struct AttentionArgs {
  DType dtype = DType::kBF16;
  const void* qkv = nullptr;            // [>= num_tokens, 3 * hidden]: Q | K | V
  const int32_t* cu_seqlens = nullptr;  // device, [num_sequences + 1]
  int num_sequences = 0;
  int num_tokens = 0;  // cu_seqlens[num_sequences], known on the host
  int max_seqlen = 0;
  int num_heads = 0;
  int head_dim = 0;
  int half_window = -1;  // < 0: every key; else keys with |i - j| <= half_window
  void* out = nullptr;   // [>= num_tokens, hidden]; only real rows are written
};

// Every launcher returns "" or the reason the launch failed; work is queued
// on `stream`.

// True when the tensor-core flash kernel takes these arguments (head_dim 32,
// 64 or 128 and 16-byte aligned rows); otherwise LaunchAttention uses the
// simple kernel below.
bool FlashAttentionSupports(const AttentionArgs& args);
// Varlen flash-style attention: the flash kernel where supported, else the
// reference kernel.
std::string LaunchAttention(const AttentionArgs& args, Stream stream);
// The flash kernel alone; an error if it does not support the arguments.
std::string LaunchFlashAttention(const AttentionArgs& args, Stream stream);
// One warp per (query, head), float32 online softmax over the allowed keys:
// slow, simple, any head_dim up to 256. The fallback, and the reference the
// flash kernel is tested against.
std::string LaunchReferenceAttention(const AttentionArgs& args, Stream stream);

}  // namespace mbserve::cuda
