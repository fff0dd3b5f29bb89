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

uint16_t FloatToBFloat16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((bits >> 16) | 0x40u);  // nan
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

uint16_t FloatToHalf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) return sign | 0x7e00u;   // nan
  if (magnitude >= 0x477ff000u) return sign | 0x7c00u;  // rounds to inf
  if (magnitude < 0x33000001u) return sign;             // rounds to zero
  int exponent = static_cast<int>(magnitude >> 23) - 127;
  uint32_t mantissa = (magnitude & 0x7fffffu) | 0x800000u;
  // Normal halves keep 10 mantissa bits; subnormals fewer, by their depth.
  const int shift = exponent < -14 ? 13 + (-14 - exponent) : 13;
  const uint32_t halfway = 1u << (shift - 1);
  const uint32_t remainder = mantissa & ((1u << shift) - 1);
  uint32_t rounded = mantissa >> shift;
  if (remainder > halfway || (remainder == halfway && (rounded & 1u))) ++rounded;
  if (exponent < -14) return sign | static_cast<uint16_t>(rounded);
  // A carry out of the mantissa bumps the exponent, which the addition does.
  return sign | static_cast<uint16_t>(((exponent + 15) << 10) + (rounded - 0x400u));
}

void ConvertFromFloat32(const float* src, size_t count, DType dtype, void* dst) {
  if (dtype == DType::kF32) {
    std::memcpy(dst, src, count * sizeof(float));
    return;
  }
  auto* out = static_cast<uint16_t*>(dst);
  for (size_t i = 0; i < count; ++i) {
    out[i] = dtype == DType::kF16 ? FloatToHalf(src[i]) : FloatToBFloat16(src[i]);
  }
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
