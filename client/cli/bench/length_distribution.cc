#include "client/cli/bench/length_distribution.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace mbserve::bench {
namespace {

// The paper's sets (arXiv 2412.13663, Table 10) expressed in our grammar.
absl::string_view ExpandPaperSet(absl::string_view name) {
  if (name == "short-fixed") return "fixed:512";
  if (name == "short-var") return "normal:256:64:32:512";
  if (name == "long-fixed") return "fixed:8192";
  if (name == "long-var") return "normal:4096:1024:32:8192";
  return {};
}

absl::StatusOr<int> ParseLength(absl::string_view spec, absl::string_view field,
                                absl::string_view text) {
  int value = 0;
  if (!absl::SimpleAtoi(text, &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--lengths ", spec, ": ", field, " '", text, "' is not an integer"));
  }
  if (value < LengthDistribution::kMinLength || value > LengthDistribution::kMaxLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("--lengths ", spec, ": ", field, " is ", value,
                     "; lengths count [CLS] and [SEP] and must be in [",
                     LengthDistribution::kMinLength, ", ", LengthDistribution::kMaxLength, "]"));
  }
  return value;
}

absl::StatusOr<double> ParsePositive(absl::string_view spec, absl::string_view field,
                                     absl::string_view text) {
  double value = 0;
  if (!absl::SimpleAtod(text, &value) || !std::isfinite(value) || value <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--lengths ", spec, ": ", field, " '", text, "' must be a positive number"));
  }
  return value;
}

absl::Status CheckOrdered(absl::string_view spec, int min, int max) {
  if (min > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("--lengths ", spec, ": MIN ", min, " is greater than MAX ", max));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LengthDistribution> LengthDistribution::Parse(absl::string_view spec) {
  std::vector<absl::string_view> parts = absl::StrSplit(spec, ':');
  const absl::string_view kind = parts[0];
  const size_t args = parts.size() - 1;
  if (kind == "paper" && args == 1) {
    const absl::string_view expanded = ExpandPaperSet(parts[1]);
    if (expanded.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--lengths ", spec, ": unknown paper set '", parts[1],
                       "'; expected short-fixed, short-var, long-fixed or long-var"));
    }
    return Parse(expanded);
  }
  if (kind == "fixed" && args == 1) {
    MBSERVE_ASSIGN_OR_RETURN(const int n, ParseLength(spec, "N", parts[1]));
    return LengthDistribution(Kind::kFixed, n, n, 0, 0);
  }
  if (kind == "uniform" && args == 2) {
    MBSERVE_ASSIGN_OR_RETURN(const int min, ParseLength(spec, "MIN", parts[1]));
    MBSERVE_ASSIGN_OR_RETURN(const int max, ParseLength(spec, "MAX", parts[2]));
    MBSERVE_RETURN_IF_ERROR(CheckOrdered(spec, min, max));
    return LengthDistribution(Kind::kUniform, min, max, 0, 0);
  }
  if (kind == "normal" && (args == 2 || args == 4)) {
    MBSERVE_ASSIGN_OR_RETURN(const double mean, ParsePositive(spec, "MEAN", parts[1]));
    MBSERVE_ASSIGN_OR_RETURN(const double stddev, ParsePositive(spec, "STDDEV", parts[2]));
    int min = kMinLength;
    int max = 8192;  // ModernBERT's context
    if (args == 4) {
      MBSERVE_ASSIGN_OR_RETURN(min, ParseLength(spec, "MIN", parts[3]));
      MBSERVE_ASSIGN_OR_RETURN(max, ParseLength(spec, "MAX", parts[4]));
    }
    MBSERVE_RETURN_IF_ERROR(CheckOrdered(spec, min, max));
    return LengthDistribution(Kind::kNormal, min, max, mean, stddev);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--lengths '", spec,
                   "' is not one of fixed:N, uniform:MIN:MAX, normal:MEAN:STDDEV[:MIN:MAX], "
                   "paper:{short-fixed,short-var,long-fixed,long-var}"));
}

int LengthDistribution::Sample(std::mt19937_64& gen) const {
  switch (kind_) {
    case Kind::kFixed:
      return min_;
    case Kind::kUniform:
      return std::uniform_int_distribution<int>(min_, max_)(gen);
    case Kind::kNormal: {
      // Truncate toward zero, then clamp: what the paper's torch.normal(...).int().clamp() does.
      const double x = std::normal_distribution<double>(mean_, stddev_)(gen);
      const double clamped =
          std::clamp(std::trunc(x), static_cast<double>(min_), static_cast<double>(max_));
      return static_cast<int>(clamped);
    }
  }
  return min_;
}

std::string LengthDistribution::ToString() const {
  switch (kind_) {
    case Kind::kFixed:
      return absl::StrCat("fixed:", min_);
    case Kind::kUniform:
      return absl::StrCat("uniform:", min_, ":", max_);
    case Kind::kNormal:
      return absl::StrCat("normal:", mean_, ":", stddev_, ":", min_, ":", max_);
  }
  return {};
}

}  // namespace mbserve::bench
