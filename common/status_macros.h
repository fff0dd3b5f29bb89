// Early-return helpers for absl::Status, as abseil does not ship them.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define MBSERVE_CONCAT_INNER(a, b) a##b
#define MBSERVE_CONCAT(a, b) MBSERVE_CONCAT_INNER(a, b)

#define MBSERVE_RETURN_IF_ERROR(expr)                                 \
  do {                                                                \
    if (absl::Status _status = (expr); !_status.ok()) return _status; \
  } while (0)

#define MBSERVE_ASSIGN_OR_RETURN(lhs, expr) \
  MBSERVE_ASSIGN_OR_RETURN_IMPL(MBSERVE_CONCAT(_statusor_, __LINE__), lhs, expr)

#define MBSERVE_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return statusor.status();            \
  lhs = std::move(statusor).value()
