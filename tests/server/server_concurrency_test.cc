// Batch invariance through the whole stack: 32 concurrent clients (unary and
// streaming) send inputs of 1 to 8192 tokens; every vector must equal the one
// the same input gets when it is sent alone, and no call or input may be
// lost or duplicated.
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/server/server_harness.h"

namespace mbserve::server::testing {
namespace {

constexpr int kClients = 32;
constexpr int kCallsPerClient = 2;
constexpr int kMaxLength = 8192;

using Sequence = std::vector<int32_t>;
using Vector = std::vector<float>;

Vector Values(const v1::Embedding& e) { return {e.values().begin(), e.values().end()}; }

// Lengths spread evenly on a log scale over [1, 8192], so long and short
// inputs both occur without the run being dominated by quadratic attention.
std::vector<std::vector<Sequence>> MakeCalls(std::mt19937& rng, int vocab) {
  std::uniform_real_distribution<double> log_length(0.0, std::log(kMaxLength));
  std::uniform_int_distribution<int> id(10, vocab - 1);
  std::uniform_int_distribution<int> inputs(1, 2);
  std::vector<std::vector<Sequence>> calls(kClients * kCallsPerClient);
  for (size_t c = 0; c < calls.size(); ++c) {
    const int n = inputs(rng);
    for (int i = 0; i < n; ++i) {
      int length = static_cast<int>(std::exp(log_length(rng)));
      if (c == 0 && i == 0) length = kMaxLength;
      if (c == 1 && i == 0) length = 1;
      Sequence s(std::clamp(length, 1, kMaxLength));
      for (int32_t& t : s) t = id(rng);
      calls[c].push_back(std::move(s));
    }
  }
  return calls;
}

TEST(ServerConcurrencyTest, EveryResponseEqualsTheSingleRequestResult) {
  auto h = ServerHarness::Start(EmbeddingModelDir(), [](ServerConfig& c) {
    c.max_batch_tokens = 16384;
    c.max_batch_requests = 32;
    c.max_input_length = kMaxLength;
    c.max_batch_delay = absl::Milliseconds(2);
    c.num_threads = 2;
  });
  std::mt19937 rng(1234);
  const std::vector<std::vector<Sequence>> calls = MakeCalls(rng, h->server().model().vocab_size);

  // Reference: every input alone, one call at a time.
  std::map<Sequence, Vector> alone;
  for (const std::vector<Sequence>& call : calls) {
    for (const Sequence& s : call) {
      grpc::ClientContext context;
      v1::EmbedResponse response;
      ASSERT_TRUE(h->embed().Embed(&context, EmbedIds({s}), &response).ok());
      alone[s] = Values(response.embeddings(0));
    }
  }
  h->engine().gate.Clear();

  std::vector<std::vector<Vector>> results(calls.size());
  std::vector<int> answers(calls.size(), 0);
  std::vector<std::string> failures(kClients);
  std::vector<std::thread> clients;
  for (int client = 0; client < kClients; ++client) {
    clients.emplace_back([&, client] {
      auto stub = v1::EmbedService::NewStub(h->NewChannel());
      const bool streaming = client % 4 == 3;
      grpc::ClientContext stream_context;
      auto stream = streaming ? stub->EmbedStream(&stream_context) : nullptr;
      for (int k = 0; k < kCallsPerClient; ++k) {
        const int c = client * kCallsPerClient + k;
        if (streaming) {
          v1::EmbedStreamRequest message;
          message.set_id(absl::StrCat(c));
          *message.mutable_request() = EmbedIds(calls[c]);
          stream->Write(message);
          continue;
        }
        grpc::ClientContext context;
        v1::EmbedResponse response;
        const grpc::Status status = stub->Embed(&context, EmbedIds(calls[c]), &response);
        if (!status.ok()) failures[client] += status.error_message() + "; ";
        ++answers[c];
        for (const v1::Embedding& e : response.embeddings()) results[c].push_back(Values(e));
      }
      if (!streaming) return;
      stream->WritesDone();
      v1::EmbedStreamResponse response;
      while (stream->Read(&response)) {
        const int c = std::stoi(response.id());
        if (response.has_error()) failures[client] += response.error().message() + "; ";
        ++answers[c];
        for (const v1::Embedding& e : response.response().embeddings()) {
          results[c].push_back(Values(e));
        }
      }
      const grpc::Status status = stream->Finish();
      if (!status.ok()) failures[client] += status.error_message();
    });
  }
  for (std::thread& client : clients) client.join();

  for (const std::string& failure : failures) EXPECT_EQ(failure, "");
  for (size_t c = 0; c < calls.size(); ++c) {
    ASSERT_EQ(answers[c], 1) << "call " << c << " answered " << answers[c] << " times";
    ASSERT_EQ(results[c].size(), calls[c].size()) << "call " << c;
    for (size_t i = 0; i < calls[c].size(); ++i) {
      EXPECT_EQ(results[c][i], alone.at(calls[c][i]))
          << "call " << c << " input " << i << " (" << calls[c][i].size() << " tokens)";
    }
  }
  int most_sequences = 0;
  for (const PackedBatch& batch : h->engine().gate.batches()) {
    EXPECT_LE(batch.num_tokens(), 16384);
    EXPECT_LE(batch.num_sequences(), 32);
    most_sequences = std::max(most_sequences, batch.num_sequences());
  }
  EXPECT_GT(most_sequences, 1) << "concurrent calls were never batched together";
}

}  // namespace
}  // namespace mbserve::server::testing
