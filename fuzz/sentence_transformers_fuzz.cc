// libFuzzer target for the sentence-transformers files
// (engine/model/sentence_transformers.cc). The input is split at each
// "\n@@\n" into modules.json, 1_Pooling/config.json,
// sentence_bert_config.json and config_sentence_transformers.json (a file
// is absent when its part is missing), written to a scratch folder and
// loaded: any input must give a config or an error.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "engine/model/sentence_transformers.h"

namespace {

namespace fs = std::filesystem;

const fs::path& ScratchDir() {
  static const fs::path dir = [] {
    std::string name =
        std::string(getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") + "/mbserve_st_fuzz_XXXXXX";
    if (mkdtemp(name.data()) == nullptr) __builtin_trap();
    fs::create_directories(fs::path(name) / "1_Pooling");
    return fs::path(name);
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* const kFiles[] = {"modules.json", "1_Pooling/config.json",
                                       "sentence_bert_config.json",
                                       "config_sentence_transformers.json"};
  const fs::path& dir = ScratchDir();
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  bool present = size > 0;
  for (const char* file : kFiles) {
    std::error_code ignored;
    fs::remove(dir / file, ignored);
    if (!present) continue;
    const size_t cut = rest.find("\n@@\n");
    std::ofstream(dir / file, std::ios::binary) << rest.substr(0, cut);
    if (cut == std::string_view::npos) {
      present = false;
    } else {
      rest.remove_prefix(cut + 4);
    }
  }
  mbserve::ModelConfig model;
  model.max_position_embeddings = 8192;
  auto st = mbserve::LoadSentenceTransformersConfig(dir.string(), model);
  if (st.ok() && st->max_seq_length.has_value() &&
      (*st->max_seq_length < 1 || *st->max_seq_length > model.max_position_embeddings)) {
    __builtin_trap();
  }
  return 0;
}
