// Input lengths (in tokens, [CLS] and [SEP] included) for the load generator.
// A spec string names the distribution so runs are reproducible from the
// command line alone:
//   fixed:N                         every input has N tokens
//   uniform:MIN:MAX                 uniform integers in [MIN, MAX]
//   normal:MEAN:STDDEV[:MIN:MAX]    truncated to an integer, then clamped
//                                   (default clamp [3, 8192])
//   paper:short-fixed|short-var|long-fixed|long-var
//                                   the ModernBERT paper's efficiency sets:
//                                   fixed 512, normal(256, 64) in [32, 512],
//                                   fixed 8192, normal(4096, 1024) in [32, 8192]
#pragma once

#include <random>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mbserve::bench {

class LengthDistribution {
 public:
  // The shortest input the synthetic text can have: [CLS], one word, [SEP].
  static constexpr int kMinLength = 3;
  // Far above any ModernBERT context; stops a typo from allocating gigabytes.
  static constexpr int kMaxLength = 1 << 17;

  static absl::StatusOr<LengthDistribution> Parse(absl::string_view spec);

  int Sample(std::mt19937_64& gen) const;

  int min() const { return min_; }
  int max() const { return max_; }
  // The spec in canonical form (paper sets expanded), for reports.
  std::string ToString() const;

 private:
  enum class Kind { kFixed, kUniform, kNormal };

  LengthDistribution(Kind kind, int min, int max, double mean, double stddev)
      : kind_(kind), min_(min), max_(max), mean_(mean), stddev_(stddev) {}

  Kind kind_;
  int min_;
  int max_;
  double mean_;    // kNormal only
  double stddev_;  // kNormal only
};

}  // namespace mbserve::bench
