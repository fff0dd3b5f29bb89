#include "engine/model/dtype_convert.h"

#include <cstring>

namespace mbserve {

float BFloat16ToFloat(uint16_t bits) {
  const uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float out;
  std::memcpy(&out, &wide, sizeof(out));
  return out;
}

float HalfToFloat(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  uint32_t wide;
  if (exponent == 0x1f) {  // inf or nan
    wide = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {  // normal
    wide = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {  // signed zero
    wide = sign;
  } else {  // subnormal half: normalize into a float32 normal
    exponent = 113;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    wide = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float out;
  std::memcpy(&out, &wide, sizeof(out));
  return out;
}

void ConvertToFloat32(const void* src, DType dtype, size_t count, float* dst) {
  if (dtype == DType::kF32) {
    std::memcpy(dst, src, count * sizeof(float));
    return;
  }
  const auto* halves = static_cast<const uint16_t*>(src);
  // Stored tensors may sit at any 2-byte offset of the mapping; read bytes.
  for (size_t i = 0; i < count; ++i) {
    uint16_t bits;
    std::memcpy(&bits, halves + i, sizeof(bits));
    dst[i] = dtype == DType::kF16 ? HalfToFloat(bits) : BFloat16ToFloat(bits);
  }
}

}  // namespace mbserve
