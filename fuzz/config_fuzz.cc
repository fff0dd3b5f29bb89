// libFuzzer target for config.json (engine/model/config.cc): any input must
// give a config or an error, never a crash, a sanitizer report or a runaway
// allocation; an accepted config must satisfy what the engine relies on.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/model/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto config = mbserve::ParseModelConfig(text);
  if (!config.ok()) return 0;
  const mbserve::ModelConfig& c = *config;
  if (c.hidden_size <= 0 || c.num_heads <= 0 || c.head_dim * c.num_heads != c.hidden_size ||
      c.head_dim % 2 != 0 || c.vocab_size <= 0 || c.intermediate_size <= 0 ||
      c.max_position_embeddings <= 0 || c.half_window < 0 || !(c.norm_eps > 0) ||
      static_cast<int>(c.layers.size()) != c.num_layers) {
    __builtin_trap();
  }
  for (const mbserve::LayerSpec& layer : c.layers) {
    if (!(layer.rope_theta > 0) || !std::isfinite(layer.rope_theta)) __builtin_trap();
  }
  if (c.head == mbserve::HeadKind::kSequenceClassification && c.id2label.empty()) __builtin_trap();
  return 0;
}
