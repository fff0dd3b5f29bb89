// Engine-only throughput: packs the sequences of an inputs file FIFO into
// batches of at most --max-batch-tokens real tokens (as the server's batcher
// does), runs them through Engine::Run with mean pooling, and prints one JSON
// line with the real tokens per second. Driven by bench/cpu_engine_bench.py,
// which runs transformers on the same inputs beside it.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "engine/engine.h"
#include "engine/model/safetensors.h"

namespace mbserve {
namespace {

struct Args {
  std::string model;
  std::string inputs;  // safetensors with int32 input_ids and cu_seqlens
  std::string pooled_out;
  int threads = 0;
  int max_batch_tokens = 16384;
};

bool ParseArgs(int argc, char** argv, Args& args) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const char* value = argv[i + 1];
    if (key == "--model")
      args.model = value;
    else if (key == "--inputs")
      args.inputs = value;
    else if (key == "--pooled-out")
      args.pooled_out = value;
    else if (key == "--threads" && absl::SimpleAtoi(value, &args.threads))
      continue;
    else if (key == "--max-batch-tokens" && absl::SimpleAtoi(value, &args.max_batch_tokens))
      continue;
    else
      return false;
  }
  return !args.model.empty() && !args.inputs.empty();
}

std::vector<int32_t> Ints(const SafetensorsEntry& e) {
  std::vector<int32_t> out(e.bytes / sizeof(int32_t));
  std::memcpy(out.data(), e.data, e.bytes);
  return out;
}

int Main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: engine_bench --model DIR --inputs FILE.safetensors [--threads N] "
                 "[--max-batch-tokens N] [--pooled-out FILE]\n");
    return 2;
  }
  auto file = SafetensorsFile::Open(args.inputs);
  if (!file.ok()) {
    std::fprintf(stderr, "%s\n", file.status().ToString().c_str());
    return 1;
  }
  const std::vector<int32_t> ids = Ints((*file)->entries().at("input_ids"));
  const std::vector<int32_t> cu = Ints((*file)->entries().at("cu_seqlens"));
  EngineOptions options;
  options.num_threads = args.threads;
  options.max_batch_tokens = args.max_batch_tokens;
  auto engine = Engine::Create(args.model, options);
  if (!engine.ok()) {
    std::fprintf(stderr, "%s\n", engine.status().ToString().c_str());
    return 1;
  }
  // FIFO batches under the token budget, built before timing.
  std::vector<PackedBatch> batches(1);
  for (size_t b = 0; b + 1 < cu.size(); ++b) {
    const int length = cu[b + 1] - cu[b];
    if (batches.back().num_tokens() + length > args.max_batch_tokens) batches.emplace_back();
    batches.back().Append(std::span<const int32_t>(ids.data() + cu[b], length));
  }
  const SequenceTask task{OutputKind::kPooledEmbedding, Pooling::kMean, false};
  auto run = [&](const PackedBatch& batch, std::vector<float>* pooled) {
    std::vector<SequenceTask> tasks(batch.num_sequences(), task);
    auto out = (*engine)->Run(batch, tasks);
    if (!out.ok()) {
      std::fprintf(stderr, "%s\n", out.status().ToString().c_str());
      std::exit(1);
    }
    if (pooled)
      for (const auto& v : out->outputs) pooled->insert(pooled->end(), v.begin(), v.end());
  };
  // Warm-up: first-touch of buffers and thread pools is not throughput.
  PackedBatch warmup;
  warmup.Append(std::span<const int32_t>(ids.data(), std::min<size_t>(ids.size(), 64)));
  run(warmup, nullptr);

  std::vector<float> pooled;
  const auto start = std::chrono::steady_clock::now();
  for (const PackedBatch& batch : batches) run(batch, &pooled);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!args.pooled_out.empty()) {
    std::ofstream(args.pooled_out, std::ios::binary)
        .write(reinterpret_cast<const char*>(pooled.data()), pooled.size() * sizeof(float));
  }
  std::printf(
      "{\"tokens\": %zu, \"sequences\": %zu, \"batches\": %zu, \"seconds\": %.4f, "
      "\"tokens_per_second\": %.1f}\n",
      ids.size(), cu.size() - 1, batches.size(), seconds, ids.size() / seconds);
  return 0;
}

}  // namespace
}  // namespace mbserve

int main(int argc, char** argv) { return mbserve::Main(argc, argv); }
