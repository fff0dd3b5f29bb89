// Throughput of the engine on a CUDA device for one workload file, as
// bench/gpu_bench.py runs it side by side with transformers: every sequence
// through Engine::Run (mean-pooled, normalized vectors copied back to the
// host, as a server would), packed in order into batches of at most
// --batch-tokens real tokens. Then the same batches through the model alone
// (Model::Encode + PoolAll, one synchronization per batch), which tells
// the kernels' speed apart from Engine::Run's host work. Prints one JSON
// object.
//
// Workload file (little-endian int32): n, then n lengths, then the ids of
// every sequence back to back.
//   usage: cuda_bench --model DIR --workload FILE [--dtype bf16|f16]
//          [--device N] [--batch-tokens T] [--max-sequences S]
//          [--dump-first K --dump FILE]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/model/registry.h"
#include "engine/ops/backend.h"

namespace mbserve {
namespace {

struct Args {
  std::string model, workload, dump;
  DType dtype = DType::kBF16;
  int device = 0;
  int batch_tokens = 131072;
  int max_sequences = 1024;
  int dump_first = 0;
};

bool ParseArgs(int argc, char** argv, Args& args) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--model") {
      args.model = value;
    } else if (key == "--workload") {
      args.workload = value;
    } else if (key == "--dtype") {
      if (value != "bf16" && value != "f16") return false;
      args.dtype = value == "bf16" ? DType::kBF16 : DType::kF16;
    } else if (key == "--device") {
      args.device = std::stoi(value);
    } else if (key == "--batch-tokens") {
      args.batch_tokens = std::stoi(value);
    } else if (key == "--max-sequences") {
      args.max_sequences = std::stoi(value);
    } else if (key == "--dump-first") {
      args.dump_first = std::stoi(value);
    } else if (key == "--dump") {
      args.dump = value;
    } else {
      return false;
    }
  }
  return !args.model.empty() && !args.workload.empty() && argc % 2 == 1;
}

bool ReadWorkload(const std::string& path, std::vector<std::vector<int32_t>>& sequences) {
  std::ifstream in(path, std::ios::binary);
  int32_t n = 0;
  if (!in.read(reinterpret_cast<char*>(&n), 4) || n <= 0) return false;
  std::vector<int32_t> lengths(n);
  if (!in.read(reinterpret_cast<char*>(lengths.data()), 4LL * n)) return false;
  sequences.resize(n);
  for (int i = 0; i < n; ++i) {
    sequences[i].resize(lengths[i]);
    if (!in.read(reinterpret_cast<char*>(sequences[i].data()), 4LL * lengths[i])) return false;
  }
  return true;
}

// Consecutive sequences up to the token and sequence budgets.
std::vector<PackedBatch> Pack(const std::vector<std::vector<int32_t>>& sequences, int max_tokens,
                              int max_sequences) {
  std::vector<PackedBatch> batches(1);
  for (const auto& ids : sequences) {
    PackedBatch* batch = &batches.back();
    if (batch->num_sequences() > 0 &&
        (batch->num_tokens() + static_cast<int>(ids.size()) > max_tokens ||
         batch->num_sequences() >= max_sequences)) {
      batches.emplace_back();
      batch = &batches.back();
    }
    batch->Append(ids);
  }
  return batches;
}

int Run(const Args& args) {
  std::vector<std::vector<int32_t>> sequences;
  if (!ReadWorkload(args.workload, sequences)) {
    std::fprintf(stderr, "cuda_bench: cannot read workload %s\n", args.workload.c_str());
    return 1;
  }
  EngineOptions options;
  options.device = Device{DeviceType::kCuda, args.device};
  options.dtype = args.dtype;
  options.max_batch_tokens = args.batch_tokens;
  auto engine = Engine::Create(args.model, options);
  if (!engine.ok()) {
    std::fprintf(stderr, "cuda_bench: %s\n", std::string(engine.status().message()).c_str());
    return 1;
  }
  const std::vector<PackedBatch> batches = Pack(sequences, args.batch_tokens, args.max_sequences);
  const SequenceTask task{OutputKind::kPooledEmbedding, Pooling::kMean, true};
  int64_t tokens = 0;
  for (const auto& s : sequences) tokens += static_cast<int64_t>(s.size());

  // Warm-up: the first batch builds the GEMM plans and loads the kernels.
  for (int i = 0; i < 2; ++i) {
    const PackedBatch& batch = batches.front();
    auto out = (*engine)->Run(batch, std::vector<SequenceTask>(batch.num_sequences(), task));
    if (!out.ok()) {
      std::fprintf(stderr, "cuda_bench: %s\n", std::string(out.status().message()).c_str());
      return 1;
    }
  }
  std::vector<std::vector<float>> first;
  const auto start = std::chrono::steady_clock::now();
  for (const PackedBatch& batch : batches) {
    auto out = (*engine)->Run(batch, std::vector<SequenceTask>(batch.num_sequences(), task));
    if (!out.ok()) {
      std::fprintf(stderr, "cuda_bench: %s\n", std::string(out.status().message()).c_str());
      return 1;
    }
    for (auto& v : out->outputs) {
      if (static_cast<int>(first.size()) < args.dump_first) first.push_back(std::move(v));
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // The model alone, on a second copy of the weights (the engine's stay
  // loaded; the two never run at the same time).
  double model_seconds = 0.0;
  {
    auto config = LoadModelConfig(args.model + "/config.json");
    if (!config.ok()) {
      std::fprintf(stderr, "cuda_bench: %s\n", std::string(config.status().message()).c_str());
      return 1;
    }
    auto model = LoadModel(args.model, *config, options.device, args.dtype, args.batch_tokens);
    if (!model.ok()) {
      std::fprintf(stderr, "cuda_bench: %s\n", std::string(model.status().message()).c_str());
      return 1;
    }
    const auto encode = [&](const PackedBatch& batch) {
      absl::Status status = (*model)->Encode(batch);
      if (status.ok()) status = (*model)->PoolAll(Pooling::kMean, true, {}).status();
      if (status.ok()) status = (*model)->backend().Synchronize();
      return status;
    };
    if (absl::Status status = encode(batches.front()); !status.ok()) {
      std::fprintf(stderr, "cuda_bench: %s\n", std::string(status.message()).c_str());
      return 1;
    }
    const auto model_start = std::chrono::steady_clock::now();
    for (const PackedBatch& batch : batches) {
      if (absl::Status status = encode(batch); !status.ok()) {
        std::fprintf(stderr, "cuda_bench: %s\n", std::string(status.message()).c_str());
        return 1;
      }
    }
    model_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - model_start).count();
  }

  if (!args.dump.empty()) {
    std::ofstream dump(args.dump, std::ios::binary);
    for (const auto& v : first) dump.write(reinterpret_cast<const char*>(v.data()), v.size() * 4);
  }
  std::printf(
      "{\"sequences\": %zu, \"tokens\": %lld, \"batches\": %zu, \"seconds\": %.6f, "
      "\"tokens_per_second\": %.1f, \"model_seconds\": %.6f, \"model_tokens_per_second\": %.1f, "
      "\"dtype\": \"%s\", \"batch_tokens\": %d}\n",
      sequences.size(), static_cast<long long>(tokens), batches.size(), seconds,
      static_cast<double>(tokens) / seconds, model_seconds,
      static_cast<double>(tokens) / model_seconds, DTypeName(args.dtype), args.batch_tokens);
  return 0;
}

}  // namespace
}  // namespace mbserve

int main(int argc, char** argv) {
  mbserve::Args args;
  if (!mbserve::ParseArgs(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: cuda_bench --model DIR --workload FILE [--dtype bf16|f16] [--device N] "
                 "[--batch-tokens T] [--max-sequences S] [--dump-first K --dump FILE]\n");
    return 2;
  }
  return mbserve::Run(args);
}
