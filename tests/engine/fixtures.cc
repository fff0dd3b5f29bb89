#include "tests/engine/fixtures.h"

#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/model/json_util.h"
#include "engine/model/safetensors.h"

namespace mbserve::testing {
namespace {

std::vector<int32_t> Ints(const SafetensorsEntry& entry) {
  std::vector<int32_t> out(entry.bytes / sizeof(int32_t));
  std::memcpy(out.data(), entry.data, entry.bytes);
  return out;
}

absl::StatusOr<FixtureCase> LoadCase(const std::string& set_dir, const nlohmann::json& item) {
  FixtureCase c;
  c.name = item.at("name").get<std::string>();
  c.head = item.at("head").get<std::string>();
  const std::string case_dir = (std::filesystem::path(set_dir) / c.name).string();
  c.dir = item.value("model_dir", case_dir);
  MBSERVE_ASSIGN_OR_RETURN(auto file, SafetensorsFile::Open(case_dir + "/expected.safetensors"));
  const auto& entries = file->entries();
  for (const char* key : {"input_ids", "cu_seqlens"}) {
    if (!entries.count(key)) return absl::NotFoundError(absl::StrCat(c.name, ": no ", key));
  }
  const std::vector<int32_t> ids = Ints(entries.at("input_ids"));
  const std::vector<int32_t> cu = Ints(entries.at("cu_seqlens"));
  const std::vector<int32_t> types = entries.count("token_type_ids")
                                         ? Ints(entries.at("token_type_ids"))
                                         : std::vector<int32_t>(ids.size(), 0);
  if (types.size() != ids.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(c.name, ": token_type_ids and input_ids differ"));
  }
  for (size_t b = 0; b + 1 < cu.size(); ++b) {
    const size_t length = cu[b + 1] - cu[b];
    c.batch.Append(std::span<const int32_t>(ids.data() + cu[b], length),
                   std::span<const int32_t>(types.data() + cu[b], length));
  }
  for (const auto& [name, entry] : entries) {
    if (entry.dtype != DType::kF32) continue;
    std::vector<float>& values = c.expected[name];
    values.resize(entry.bytes / sizeof(float));
    std::memcpy(values.data(), entry.data, entry.bytes);
  }
  return c;
}

}  // namespace

absl::StatusOr<std::vector<FixtureCase>> LoadFixtureSet(const std::string& set_dir) {
  MBSERVE_ASSIGN_OR_RETURN(std::string text, json_util::ReadFile(set_dir + "/manifest.json"));
  MBSERVE_ASSIGN_OR_RETURN(nlohmann::json manifest, json_util::Parse(text, "manifest.json"));
  std::vector<FixtureCase> cases;
  for (const auto& item : manifest.at("cases")) {
    MBSERVE_ASSIGN_OR_RETURN(FixtureCase c, LoadCase(set_dir, item));
    cases.push_back(std::move(c));
  }
  if (cases.empty()) return absl::NotFoundError(absl::StrCat(set_dir, ": manifest has no cases"));
  return cases;
}

std::string CommittedFixtureDir() { return MBSERVE_COMMITTED_FIXTURES; }
std::string GeneratedFixtureDir() { return MBSERVE_GENERATED_FIXTURES; }
std::string BertFixtureDir() { return MBSERVE_BERT_FIXTURES; }
std::string MiniLmFixtureDir() { return MBSERVE_MINILM_FIXTURES; }

}  // namespace mbserve::testing
