// Argument checks shared by the device-neutral ops: each failure names the
// op, the argument and both shapes.
#pragma once

#include <initializer_list>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/ops/backend.h"
#include "engine/tensor.h"

namespace mbserve::ops_internal {

// Every tensor is non-empty and on the backend's device.
absl::Status CheckDevices(absl::string_view op, const Backend& backend,
                          std::initializer_list<const Tensor*> tensors);

// t has the dtype and exactly the shape given (-1 matches any extent).
absl::Status CheckTensor(absl::string_view op, absl::string_view name, const Tensor& t, DType dtype,
                         std::initializer_list<int64_t> shape);

}  // namespace mbserve::ops_internal
