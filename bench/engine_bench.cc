// Engine-only timings on the sequences of an inputs file (safetensors with
// int32 input_ids and cu_seqlens). Prints one JSON line. Two modes:
//
//   throughput  packs the sequences FIFO into batches of at most
//               --max-batch-tokens real tokens (as the server's batcher does),
//               runs them back to back and reports real tokens per second;
//   latency     runs each sequence alone (a batch of one) --warmup times
//               untimed, then --repeats times timed, and reports every call's
//               seconds.
//
// --task embed asks for mean-pooled (not normalized) embeddings, --task
// classify for the classification head's logits; --outputs-out writes each
// sequence's output floats back to back (the first timed pass), so the
// Python drivers (bench/cpu_engine_bench.py, bench/cpu_latency_bench.py) can
// check them against the peers they time on the same inputs.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "engine/engine.h"
#include "engine/model/safetensors.h"
#include "nlohmann/json.hpp"

namespace mbserve {
namespace {

struct Args {
  std::string model;
  std::string inputs;
  std::string outputs_out;
  std::string mode = "throughput";
  std::string task = "embed";
  std::string dtype = "float32";
  int threads = 0;
  int max_batch_tokens = 16384;
  int warmup = 3;
  int repeats = 20;
};

bool ParseArgs(int argc, char** argv, Args& args) {
  if (argc % 2 != 1) return false;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const char* value = argv[i + 1];
    if (key == "--model")
      args.model = value;
    else if (key == "--inputs")
      args.inputs = value;
    else if (key == "--outputs-out")
      args.outputs_out = value;
    else if (key == "--mode")
      args.mode = value;
    else if (key == "--task")
      args.task = value;
    else if (key == "--dtype")
      args.dtype = value;
    else if (key == "--threads" && absl::SimpleAtoi(value, &args.threads))
      continue;
    else if (key == "--max-batch-tokens" && absl::SimpleAtoi(value, &args.max_batch_tokens))
      continue;
    else if (key == "--warmup" && absl::SimpleAtoi(value, &args.warmup) && args.warmup >= 0)
      continue;
    else if (key == "--repeats" && absl::SimpleAtoi(value, &args.repeats) && args.repeats > 0)
      continue;
    else
      return false;
  }
  return !args.model.empty() && !args.inputs.empty() &&
         (args.mode == "throughput" || args.mode == "latency") &&
         (args.task == "embed" || args.task == "classify") &&
         (args.dtype == "float32" || args.dtype == "bfloat16");
}

std::vector<int32_t> Ints(const SafetensorsEntry& e) {
  std::vector<int32_t> out(e.bytes / sizeof(int32_t));
  std::memcpy(out.data(), e.data, e.bytes);
  return out;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs one batch, every sequence with the same task; exits on an engine error
// (a benchmark that silently skips a batch would report a wrong rate).
void RunBatch(Engine& engine, const PackedBatch& batch, const SequenceTask& task,
              std::vector<float>* outputs) {
  const std::vector<SequenceTask> tasks(batch.num_sequences(), task);
  auto out = engine.Run(batch, tasks);
  if (!out.ok()) {
    std::fprintf(stderr, "%s\n", out.status().ToString().c_str());
    std::exit(1);
  }
  if (outputs)
    for (const auto& v : out->outputs) outputs->insert(outputs->end(), v.begin(), v.end());
}

PackedBatch Single(const std::vector<int32_t>& ids, int32_t begin, int32_t end) {
  PackedBatch batch;
  batch.Append(std::span<const int32_t>(ids.data() + begin, end - begin));
  return batch;
}

nlohmann::json Throughput(Engine& engine, const Args& args, const SequenceTask& task,
                          const std::vector<int32_t>& ids, const std::vector<int32_t>& cu,
                          std::vector<float>& outputs) {
  // FIFO batches under the token budget, built before timing.
  std::vector<PackedBatch> batches(1);
  for (size_t b = 0; b + 1 < cu.size(); ++b) {
    const int length = cu[b + 1] - cu[b];
    if (batches.back().num_tokens() + length > args.max_batch_tokens) batches.emplace_back();
    batches.back().Append(std::span<const int32_t>(ids.data() + cu[b], length));
  }
  // Warm-up: first-touch of buffers and thread pools is not throughput.
  for (int i = 0; i < args.warmup; ++i)
    RunBatch(engine, Single(ids, 0, std::min<int32_t>(cu[1], 64)), task, nullptr);

  const auto start = std::chrono::steady_clock::now();
  for (const PackedBatch& batch : batches) RunBatch(engine, batch, task, &outputs);
  const double seconds = SecondsSince(start);
  return {{"tokens", ids.size()},
          {"sequences", cu.size() - 1},
          {"batches", batches.size()},
          {"seconds", seconds},
          {"tokens_per_second", ids.size() / seconds}};
}

nlohmann::json Latency(Engine& engine, const Args& args, const SequenceTask& task,
                       const std::vector<int32_t>& ids, const std::vector<int32_t>& cu,
                       std::vector<float>& outputs) {
  nlohmann::json sequences = nlohmann::json::array();
  for (size_t b = 0; b + 1 < cu.size(); ++b) {
    const PackedBatch batch = Single(ids, cu[b], cu[b + 1]);
    for (int i = 0; i < args.warmup; ++i) RunBatch(engine, batch, task, nullptr);
    std::vector<double> seconds;
    for (int i = 0; i < args.repeats; ++i) {
      const auto start = std::chrono::steady_clock::now();
      RunBatch(engine, batch, task, i == 0 ? &outputs : nullptr);
      seconds.push_back(SecondsSince(start));
    }
    sequences.push_back({{"tokens", batch.num_tokens()}, {"seconds", seconds}});
  }
  return {{"sequences", sequences}};
}

int Main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: engine_bench --model DIR --inputs FILE.safetensors "
                 "[--mode throughput|latency] [--task embed|classify] "
                 "[--dtype float32|bfloat16] [--threads N] [--max-batch-tokens N] "
                 "[--warmup N] [--repeats N] [--outputs-out FILE]\n");
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
  options.dtype = args.dtype == "bfloat16" ? DType::kBF16 : DType::kF32;
  auto engine = Engine::Create(args.model, options);
  if (!engine.ok()) {
    // A JSON line too, so the driver can tell "the engine refused this
    // configuration" (e.g. bfloat16 on a CPU without it) from a crash.
    std::printf("%s\n",
                nlohmann::json{{"engine_error", engine.status().ToString()}}.dump().c_str());
    return 3;
  }
  const SequenceTask task = args.task == "embed"
                                ? SequenceTask{OutputKind::kPooledEmbedding, Pooling::kMean, false}
                                : SequenceTask{OutputKind::kClassLogits};
  std::vector<float> outputs;
  nlohmann::json result = args.mode == "throughput"
                              ? Throughput(**engine, args, task, ids, cu, outputs)
                              : Latency(**engine, args, task, ids, cu, outputs);
  result["kernel"] = (*engine)->kernel_summary();
  result["threads"] = args.threads;
  result["dtype"] = args.dtype;
  if (!args.outputs_out.empty()) {
    std::ofstream(args.outputs_out, std::ios::binary)
        .write(reinterpret_cast<const char*>(outputs.data()), outputs.size() * sizeof(float));
  }
  std::printf("%s\n", result.dump().c_str());
  return 0;
}

}  // namespace
}  // namespace mbserve

int main(int argc, char** argv) { return mbserve::Main(argc, argv); }
