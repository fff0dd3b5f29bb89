// Conversions of stored half-precision weights to float32.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/tensor.h"

namespace mbserve {

float HalfToFloat(uint16_t bits);
float BFloat16ToFloat(uint16_t bits);

uint16_t FloatToHalf(float value);      // round to nearest even
uint16_t FloatToBFloat16(float value);  // round to nearest even

// dst[i] = src[i] as float32, where src holds `count` values of `dtype`
// (F32, F16 or BF16).
void ConvertToFloat32(const void* src, DType dtype, size_t count, float* dst);

// dst holds `count` values of `dtype` (F32, F16 or BF16) made from src.
void ConvertFromFloat32(const float* src, size_t count, DType dtype, void* dst);

}  // namespace mbserve
