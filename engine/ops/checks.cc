#include "engine/ops/checks.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mbserve::ops_internal {

absl::Status CheckDevices(absl::string_view op, const Backend& backend,
                          std::initializer_list<const Tensor*> tensors) {
  const Device device = backend.device();
  int index = 0;
  for (const Tensor* t : tensors) {
    if (t->empty())
      return absl::InvalidArgumentError(absl::StrCat(op, ": argument ", index, " is empty"));
    if (!(t->device() == device)) {
      return absl::InvalidArgumentError(absl::StrCat(op, ": argument ", index, " is on ",
                                                     t->device().ToString(), ", expected ",
                                                     device.ToString()));
    }
    ++index;
  }
  return absl::OkStatus();
}

absl::Status CheckTensor(absl::string_view op, absl::string_view name, const Tensor& t, DType dtype,
                         std::initializer_list<int64_t> shape) {
  const std::string expected =
      absl::StrCat("[",
                   absl::StrJoin(shape, ", ",
                                 [](std::string* out, int64_t d) {
                                   absl::StrAppend(out, d < 0 ? std::string("*") : absl::StrCat(d));
                                 }),
                   "]");
  bool matches = t.rank() == static_cast<int>(shape.size());
  int i = 0;
  for (int64_t d : shape) {
    if (matches && d >= 0 && t.dim(i) != d) matches = false;
    ++i;
  }
  if (!matches) {
    return absl::InvalidArgumentError(
        absl::StrCat(op, ": ", name, " has shape ", t.ShapeString(), ", expected ", expected));
  }
  if (t.dtype() != dtype) {
    return absl::InvalidArgumentError(absl::StrCat(op, ": ", name, " is ", DTypeName(t.dtype()),
                                                   ", expected ", DTypeName(dtype)));
  }
  return absl::OkStatus();
}

}  // namespace mbserve::ops_internal
