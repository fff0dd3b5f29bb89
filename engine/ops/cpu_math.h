// Vectorizable float32 exp and erf for the CPU kernels, and the attribute that
// compiles a loop once per x86 vector width.
//
// libm's expf/erff are scalar calls, and exp in softmax plus erf in GELU were
// a tenth of a ModernBERT forward pass. These use only +, -, *, / and bit
// operations, so the compiler vectorizes loops over them, and since the build
// never contracts a*b+c into FMA (ISO C++ mode), every vector width and the
// scalar tail give the same bits: results do not depend on where a value sits
// in a row, nor on which clone the CPU runs.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && !defined(__clang__)
#define MBSERVE_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MBSERVE_VECTOR_CLONES
#endif

namespace mbserve::cpu_math {

// e^x with a relative error below 3e-7 for x in [-87, 88]; clamps outside.
inline float Exp(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693145751953125f;  // ln 2 split so n * kLn2Hi is exact
  constexpr float kLn2Lo = 1.428606765330187045e-06f;
  constexpr float kRoundMagic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  const float shifted = x * kLog2e + kRoundMagic;
  const float n = shifted - kRoundMagic;
  const float r = (x - n * kLn2Hi) - n * kLn2Lo;  // |r| <= ln2 / 2
  // Taylor series of e^r to degree 6, Horner form.
  float p = 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  // n as an integer, read from the low mantissa bits of `shifted` (whose
  // exponent is that of kRoundMagic) rather than converted: converting a
  // NaN (x NaN, which the clamp keeps) to int is undefined behaviour. A NaN
  // x still gives NaN, through p.
  uint32_t shifted_bits, magic_bits;
  std::memcpy(&shifted_bits, &shifted, sizeof(shifted_bits));
  std::memcpy(&magic_bits, &kRoundMagic, sizeof(magic_bits));
  const uint32_t bits = (shifted_bits - magic_bits + 127u) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  return p * scale;
}

// erf(x) with an absolute error below 5e-7 (Abramowitz and Stegun 7.1.26,
// whose 1.5e-7 grows by float32 rounding); GELU needs no more.
inline float Erf(float x) {
  const float a = x < 0.0f ? -x : x;
  const float t = 1.0f / (1.0f + 0.3275911f * a);
  float p = 1.061405429f;
  p = p * t - 1.453152027f;
  p = p * t + 1.421413741f;
  p = p * t - 0.284496736f;
  p = p * t + 0.254829592f;
  const float y = 1.0f - p * t * Exp(-a * a);
  return x < 0.0f ? -y : y;
}

// The exact-erf GELU ModernBERT uses.
inline float Gelu(float x) { return 0.5f * x * (1.0f + Erf(x * 0.70710678118654752f)); }

}  // namespace mbserve::cpu_math
