// The CUDA runtime's stream type under a name that needs no CUDA header
// (cudaStream_t is CUstream_st*), so the ops can declare their launchers in
// every build; only a build with CUDA calls them.
#pragma once

struct CUstream_st;

namespace mbserve::cuda {
using Stream = CUstream_st*;
}  // namespace mbserve::cuda
