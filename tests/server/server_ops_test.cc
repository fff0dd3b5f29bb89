// Operations end to end: cancellation and deadlines drop work before it
// costs compute, overload is refused at once, the API key and message-size
// limits, and graceful shutdown answers every accepted call.
#include <future>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "server/embed_stream.h"
#include "server/tsan_handoff.h"
#include "tests/server/server_harness.h"

namespace mbserve::server::testing {
namespace {

using namespace std::chrono_literals;

// A request whose tokens are a marker id no other request uses, so the
// recorded batches show whether it reached the engine.
v1::EmbedRequest Marked(int32_t marker, int length = 5) {
  return EmbedIds({std::vector<int32_t>(length, marker)});
}

struct AsyncEmbed {
  grpc::ClientContext context;
  v1::EmbedResponse response;
  std::promise<grpc::Status> done;

  void Start(v1::EmbedService::Stub& stub, const v1::EmbedRequest& request) {
    HandToGrpc(this);
    stub.async()->Embed(&context, &request, &response, [this](grpc::Status status) {
      TakeBackFromGrpc(this);
      done.set_value(std::move(status));
    });
  }
};

// A call held inside the engine: the gate is closed behind it, so later
// calls queue until the test opens it.
struct HeldCall {
  v1::EmbedRequest request;
  AsyncEmbed call;
};

std::unique_ptr<HeldCall> HoldEngine(ServerHarness& h, int32_t marker) {
  const size_t before = h.engine().gate.batches().size();
  h.engine().gate.Close();
  auto held = std::make_unique<HeldCall>();
  held->request = Marked(marker);
  held->call.Start(h.embed(), held->request);
  h.engine().gate.WaitForBatches(before + 1);
  return held;
}

// Waits (up to 30 s) until the server has admitted `n` calls.
void WaitForInFlight(ServerHarness& h, int n) {
  for (int i = 0; i < 3000 && h.MetricSum("mbserve_in_flight_requests") < n; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(h.MetricSum("mbserve_in_flight_requests"), n);
}

// An EmbedStream that sends raw bytes, so that a message can be bytes that
// do not parse. Each operation is waited for before the next; the stream
// fails after 30 s rather than hang a test.
class RawEmbedStream {
 public:
  explicit RawEmbedStream(const std::shared_ptr<grpc::Channel>& channel) : stub_(channel) {
    context_.set_deadline(std::chrono::system_clock::now() + 30s);
    call_ = stub_.PrepareCall(&context_, "/mbserve.v1.EmbedService/EmbedStream", &queue_);
    call_->StartCall(this);
    EXPECT_TRUE(Wait());
  }
  ~RawEmbedStream() {
    queue_.Shutdown();
    void* tag;
    bool ok;
    while (queue_.Next(&tag, &ok)) {
    }
  }

  bool Write(const std::string& bytes) {
    const grpc::Slice slice(bytes.data(), bytes.size());
    call_->Write(grpc::ByteBuffer(&slice, 1), this);
    return Wait();
  }
  bool Write(const v1::EmbedStreamRequest& message) { return Write(message.SerializeAsString()); }
  void WritesDone() {
    call_->WritesDone(this);
    EXPECT_TRUE(Wait());
  }
  bool Read(v1::EmbedStreamResponse* response) {
    grpc::ByteBuffer bytes;
    call_->Read(&bytes, this);
    if (!Wait()) return false;
    std::vector<grpc::Slice> slices;
    EXPECT_TRUE(bytes.Dump(&slices).ok());
    std::string joined;
    for (const grpc::Slice& s : slices) joined.append(s.begin(), s.end());
    return response->ParseFromString(joined);
  }
  grpc::Status Finish() {
    grpc::Status status;
    call_->Finish(&status, this);
    EXPECT_TRUE(Wait());
    return status;
  }

 private:
  // Whether the one pending operation succeeded.
  bool Wait() {
    void* tag = nullptr;
    bool ok = false;
    EXPECT_TRUE(queue_.Next(&tag, &ok));
    return ok;
  }

  grpc::GenericStub stub_;
  grpc::ClientContext context_;
  grpc::CompletionQueue queue_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
};

TEST(ServerOpsTest, CancelledAndExpiredCallsNeverReachTheEngine) {
  auto h = ServerHarness::Start(EmbeddingModelDir());
  auto held = HoldEngine(*h, 11);

  const v1::EmbedRequest cancelled_request = Marked(12);
  AsyncEmbed cancelled;
  cancelled.Start(h->embed(), cancelled_request);
  const v1::EmbedRequest expired_request = Marked(13);
  AsyncEmbed expired;
  expired.context.set_deadline(std::chrono::system_clock::now() + 2s);
  expired.Start(h->embed(), expired_request);
  const v1::EmbedRequest alive_request = Marked(14);
  AsyncEmbed alive;
  alive.Start(h->embed(), alive_request);

  WaitForInFlight(*h, 4);  // all three are queued behind the held batch
  cancelled.context.TryCancel();
  EXPECT_EQ(cancelled.done.get_future().get().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(expired.done.get_future().get().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  std::this_thread::sleep_for(500ms);  // the server has seen the cancellation
  h->engine().gate.Open();
  EXPECT_TRUE(alive.done.get_future().get().ok());
  EXPECT_TRUE(held->call.done.get_future().get().ok());

  EXPECT_TRUE(h->engine().gate.Saw(11));
  EXPECT_TRUE(h->engine().gate.Saw(14));
  EXPECT_FALSE(h->engine().gate.Saw(12)) << "a cancelled call cost compute";
  EXPECT_FALSE(h->engine().gate.Saw(13)) << "an expired call cost compute";
  h->server().Shutdown();
  EXPECT_EQ(h->MetricSum("mbserve_requests_total", {{"rpc", "Embed"}, {"code", "CANCELLED"}}), 1);
  EXPECT_EQ(
      h->MetricSum("mbserve_requests_total", {{"rpc", "Embed"}, {"code", "DEADLINE_EXCEEDED"}}), 1);
}

TEST(ServerOpsTest, OverloadIsRefusedAtOnceAndAdmittedCallsFinish) {
  auto h = ServerHarness::Start(EmbeddingModelDir(),
                                [](ServerConfig& c) { c.max_concurrent_requests = 3; });
  auto held = HoldEngine(*h, 21);  // one call in flight
  std::vector<v1::EmbedRequest> requests = {Marked(22), Marked(23)};
  std::vector<std::unique_ptr<AsyncEmbed>> admitted;
  for (const v1::EmbedRequest& request : requests) {
    admitted.push_back(std::make_unique<AsyncEmbed>());
    admitted.back()->Start(h->embed(), request);
  }
  WaitForInFlight(*h, 3);

  const Clock::time_point start = Clock::now();
  grpc::ClientContext context;
  v1::EmbedResponse response;
  const grpc::Status refused = h->embed().Embed(&context, Marked(24), &response);
  EXPECT_LT(Clock::now() - start, 2s) << "refusal must not wait for a slot";
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.error_message().find("--max-concurrent-requests (3"), std::string::npos)
      << refused.error_message();

  h->engine().gate.Open();
  for (auto& call : admitted) EXPECT_TRUE(call->done.get_future().get().ok());
  EXPECT_TRUE(held->call.done.get_future().get().ok());
  EXPECT_FALSE(h->engine().gate.Saw(24));
}

TEST(ServerOpsTest, QueuedTokensAreBoundedAndTheRefusalNamesTheLimit) {
  auto h =
      ServerHarness::Start(EmbeddingModelDir(), [](ServerConfig& c) { c.max_queued_tokens = 20; });
  auto held = HoldEngine(*h, 31);  // in the engine: not queued
  AsyncEmbed first, refused, fits;
  first.Start(h->embed(), Marked(32, 15));
  for (int i = 0; i < 3000 && h->MetricSum("mbserve_queue_tokens") < 15; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(h->MetricSum("mbserve_queue_tokens"), 15);
  refused.Start(h->embed(), Marked(33, 10));
  std::future<grpc::Status> refusal = refused.done.get_future();
  ASSERT_EQ(refusal.wait_for(10s), std::future_status::ready) << "not refused at once";
  const grpc::Status status = refusal.get();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(status.error_message(),
            "the server has 15 tokens queued; this call's 10 would pass --max-queued-tokens (20); "
            "retry later");
  // Exactly the bound, from another connection (one connection may hold only
  // its share: OneConnectionLeavesRoomForAnother).
  auto other = v1::EmbedService::NewStub(h->NewChannel());
  fits.Start(*other, Marked(34, 5));
  h->engine().gate.Open();
  EXPECT_TRUE(held->call.done.get_future().get().ok());
  EXPECT_TRUE(first.done.get_future().get().ok());
  EXPECT_TRUE(fits.done.get_future().get().ok());
  EXPECT_FALSE(h->engine().gate.Saw(33));
}

// Waits until the queue holds `tokens` tokens or the call ends (refused).
// Returns whether the call was queued.
bool Queued(ServerHarness& h, std::future<grpc::Status>& done, double tokens) {
  for (int i = 0; i < 3000; ++i) {
    if (h.MetricSum("mbserve_queue_tokens") == tokens) return true;
    if (done.wait_for(10ms) == std::future_status::ready) return false;
  }
  ADD_FAILURE() << "neither queued nor refused";
  return false;
}

TEST(ServerOpsTest, OneConnectionLeavesRoomForAnother) {
  auto h =
      ServerHarness::Start(EmbeddingModelDir(), [](ServerConfig& c) { c.max_queued_tokens = 40; });
  auto held = HoldEngine(*h, 31);  // in the engine: not queued
  // One connection floods: 5-token calls, one after another, until refused.
  // Alone, it may hold 40 / (1 + 1) = 20 tokens.
  std::vector<std::unique_ptr<AsyncEmbed>> flood;
  std::vector<std::future<grpc::Status>> flood_done;
  grpc::Status refusal;
  for (int i = 0; i < 10; ++i) {
    flood.push_back(std::make_unique<AsyncEmbed>());
    flood_done.push_back(flood.back()->done.get_future());
    flood.back()->Start(h->embed(), Marked(40 + i, 5));
    if (!Queued(*h, flood_done.back(), 5.0 * flood.size())) {
      refusal = flood_done.back().get();
      flood_done.pop_back();
      break;
    }
  }
  EXPECT_EQ(flood_done.size(), 4u);
  EXPECT_EQ(refusal.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(refusal.error_message(),
            "this connection has 20 tokens queued; this call's 5 would pass its share of "
            "--max-queued-tokens (20 of 40 while 1 connection waits); retry later");

  // Another connection's call is still admitted.
  auto other = v1::EmbedService::NewStub(h->NewChannel());
  AsyncEmbed second;
  std::future<grpc::Status> second_done = second.done.get_future();
  second.Start(*other, Marked(60, 15));
  EXPECT_TRUE(Queued(*h, second_done, 35));

  h->engine().gate.Open();
  EXPECT_TRUE(held->call.done.get_future().get().ok());
  for (std::future<grpc::Status>& done : flood_done) EXPECT_TRUE(done.get().ok());
  EXPECT_TRUE(second_done.get().ok());
  EXPECT_TRUE(h->engine().gate.Saw(60));
}

TEST(ServerOpsTest, ApiKeyIsRequiredOnMbserveCallsButNotOnHealth) {
  auto h = ServerHarness::Start(EmbeddingModelDir(), [](ServerConfig& c) { c.api_key = "s3cret"; });
  auto call = [&](const char* key) {
    grpc::ClientContext context;
    if (key != nullptr) context.AddMetadata("authorization", key);
    v1::EmbedResponse response;
    return h->embed().Embed(&context, EmbedTexts({"x"}), &response);
  };
  grpc::Status missing = call(nullptr);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(missing.error_message().find("missing API key"), std::string::npos);
  grpc::Status wrong = call("Bearer guess");
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(wrong.error_message().find("wrong API key"), std::string::npos);
  EXPECT_EQ(call("s3cret").error_code(), grpc::StatusCode::UNAUTHENTICATED) << "no Bearer";
  EXPECT_TRUE(call("Bearer s3cret").ok());

  grpc::ClientContext info_context;
  v1::GetInfoResponse info;
  EXPECT_EQ(h->info().GetInfo(&info_context, {}, &info).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext stream_context;
  auto stream = h->embed().EmbedStream(&stream_context);
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);

  grpc::ClientContext health_context;
  grpc::health::v1::HealthCheckResponse health;
  EXPECT_TRUE(h->health().Check(&health_context, {}, &health).ok());
}

TEST(ServerOpsTest, OversizedMessageIsRefusedWithBothSizes) {
  auto h = ServerHarness::Start(EmbeddingModelDir(),
                                [](ServerConfig& c) { c.max_message_bytes = 64 << 10; });
  const v1::EmbedRequest oversized = EmbedTexts({std::string(100 << 10, 'a')});
  grpc::ClientContext context;
  v1::EmbedResponse response;
  const grpc::Status status = h->embed().Embed(&context, oversized, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(status.error_message(),
            absl::StrCat("the request message is ", oversized.ByteSizeLong(),
                         " bytes; --max-message-bytes is 65536"));
  EXPECT_EQ(
      h->MetricSum("mbserve_requests_total", {{"rpc", "Embed"}, {"code", "RESOURCE_EXHAUSTED"}}),
      1);
  // Past twice the limit gRPC's transport refuses the message unread.
  grpc::ClientContext huge_context;
  const grpc::Status huge =
      h->embed().Embed(&huge_context, EmbedTexts({std::string(200 << 10, 'a')}), &response);
  EXPECT_EQ(huge.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(huge.error_message().find("131072"), std::string::npos) << huge.error_message();
  grpc::ClientContext ok_context;
  EXPECT_TRUE(h->embed().Embed(&ok_context, EmbedTexts({"small"}), &response).ok());
}

TEST(ServerOpsTest, RequestBytesThatDoNotParseAreInvalidArgumentAndCounted) {
  auto h = ServerHarness::Start(ClassifierModelDir());
  grpc::GenericStub stub(h->NewChannel());
  // A field tag whose varint never ends.
  const std::string garbage = "\xff\xff\xff\xff";
  const grpc::Slice slice(garbage.data(), garbage.size());
  const grpc::ByteBuffer request(&slice, 1);
  const std::vector<std::tuple<std::string, std::string, std::string>> methods = {
      {"/mbserve.v1.EmbedService/Embed", "Embed", "mbserve.v1.EmbedRequest"},
      {"/mbserve.v1.ClassifyService/Classify", "Classify", "mbserve.v1.ClassifyRequest"},
      {"/mbserve.v1.ClassifyService/Rerank", "Rerank", "mbserve.v1.RerankRequest"},
      {"/mbserve.v1.TokenizeService/Tokenize", "Tokenize", "mbserve.v1.TokenizeRequest"},
      {"/mbserve.v1.TokenizeService/Detokenize", "Detokenize", "mbserve.v1.DetokenizeRequest"},
      {"/mbserve.v1.InfoService/GetInfo", "GetInfo", "mbserve.v1.GetInfoRequest"},
  };
  for (const auto& [method, rpc, type] : methods) {
    grpc::ClientContext context;
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    HandToGrpc(&done);
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status status) {
                     TakeBackFromGrpc(&done);
                     done.set_value(std::move(status));
                   });
    const grpc::Status status = done.get_future().get();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << method;
    EXPECT_EQ(status.error_message(), "the request is not a valid " + type);
    EXPECT_EQ(h->MetricSum("mbserve_requests_total", {{"rpc", rpc}, {"code", "INVALID_ARGUMENT"}}),
              1)
        << rpc;
  }
}

TEST(ServerOpsTest, StreamAnswersAnOversizedMessageAloneAndGoesOn) {
  auto h = ServerHarness::Start(EmbeddingModelDir(),
                                [](ServerConfig& c) { c.max_message_bytes = 64 << 10; });
  auto held = HoldEngine(*h, 31);
  grpc::ClientContext stream_context;
  auto stream = h->embed().EmbedStream(&stream_context);
  v1::EmbedStreamRequest before;
  before.set_id("before");
  *before.mutable_request() = Marked(41);
  ASSERT_TRUE(stream->Write(before));
  WaitForInFlight(*h, 2);  // accepted, waiting behind the held call

  v1::EmbedStreamRequest oversized;
  oversized.set_id("oversized");
  *oversized.mutable_request() = EmbedTexts({std::string(100 << 10, 'a')});
  ASSERT_TRUE(stream->Write(oversized));
  v1::EmbedStreamResponse response;
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.id(), "oversized");
  EXPECT_EQ(response.error().code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(response.error().message(),
            absl::StrCat("the request message is ", oversized.ByteSizeLong(),
                         " bytes; --max-message-bytes is 65536"));

  v1::EmbedStreamRequest after;
  after.set_id("after");
  *after.mutable_request() = Marked(42);
  ASSERT_TRUE(stream->Write(after));
  stream->WritesDone();
  h->engine().gate.Open();
  EXPECT_TRUE(held->call.done.get_future().get().ok());
  std::set<std::string> answered;
  while (stream->Read(&response)) {
    EXPECT_TRUE(response.has_response()) << response.id() << ": " << response.error().message();
    answered.insert(response.id());
  }
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(answered, (std::set<std::string>{"before", "after"}));
}

TEST(ServerOpsTest, StreamAnswersAMalformedMessageAloneAndGoesOn) {
  auto h = ServerHarness::Start(EmbeddingModelDir());
  auto held = HoldEngine(*h, 31);
  RawEmbedStream stream(h->NewChannel());
  v1::EmbedStreamRequest before;
  before.set_id("before");
  *before.mutable_request() = Marked(41);
  ASSERT_TRUE(stream.Write(before));
  WaitForInFlight(*h, 2);  // accepted, waiting behind the held call

  // A field tag whose varint never ends.
  ASSERT_TRUE(stream.Write(std::string("\xff\xff\xff\xff")));
  v1::EmbedStreamResponse response;
  ASSERT_TRUE(stream.Read(&response));
  EXPECT_EQ(response.id(), "");
  EXPECT_EQ(response.error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(response.error().message(),
            "message 2 of the stream: the request is not a valid mbserve.v1.EmbedStreamRequest");

  v1::EmbedStreamRequest after;
  after.set_id("after");
  *after.mutable_request() = Marked(42);
  ASSERT_TRUE(stream.Write(after));
  stream.WritesDone();
  h->engine().gate.Open();
  EXPECT_TRUE(held->call.done.get_future().get().ok());
  std::set<std::string> answered;
  while (stream.Read(&response)) {
    EXPECT_TRUE(response.has_response()) << response.id() << ": " << response.error().message();
    answered.insert(response.id());
  }
  EXPECT_TRUE(stream.Finish().ok());
  EXPECT_EQ(answered, (std::set<std::string>{"before", "after"}));
  EXPECT_EQ(h->MetricSum("mbserve_requests_total",
                         {{"rpc", "EmbedStream"}, {"code", "INVALID_ARGUMENT"}}),
            1);
}

TEST(ServerOpsTest, TokenizeAndDetokenizeResponsesStayWithinTheMessageLimit) {
  auto h = ServerHarness::Start(EmbeddingModelDir(),
                                [](ServerConfig& c) { c.max_message_bytes = 64 << 10; });
  // 40 KB of one-letter words: about 20,000 tokens, each over 10 bytes in the
  // response.
  std::string words;
  while (words.size() < (40 << 10)) words += "a ";
  grpc::ClientContext context;
  v1::TokenizeRequest request;
  request.add_texts("small");
  request.add_texts(words);
  v1::TokenizeResponse response;
  const grpc::Status status = h->tokenize().Tokenize(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(status.error_message().find("the response, at texts[1] ("), std::string::npos)
      << status.error_message();
  EXPECT_NE(status.error_message().find("would exceed --max-message-bytes (65536 bytes)"),
            std::string::npos)
      << status.error_message();

  // 16,000 ids of the vocabulary's longest token decode to more than 64 KiB.
  int32_t longest = 0;
  size_t longest_bytes = 0;
  for (int32_t id = 0; id < h->server().model().vocab_size; ++id) {
    const size_t bytes = h->tokenizer().Decode(std::vector<int32_t>{id}, true)->size();
    if (bytes > longest_bytes) std::tie(longest, longest_bytes) = std::pair(id, bytes);
  }
  ASSERT_GT(16000 * longest_bytes, 65536u);
  grpc::ClientContext detokenize_context;
  v1::DetokenizeRequest detokenize;
  for (int i = 0; i < 16000; ++i) detokenize.add_ids(longest);
  v1::DetokenizeResponse text;
  const grpc::Status too_long = h->tokenize().Detokenize(&detokenize_context, detokenize, &text);
  EXPECT_EQ(too_long.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(too_long.error_message(),
            absl::StrCat("the text (", 16000 * longest_bytes,
                         " bytes) would exceed --max-message-bytes (65536 bytes); send fewer or "
                         "shorter inputs"));

  grpc::ClientContext ok_context;
  request.mutable_texts()->RemoveLast();
  EXPECT_TRUE(h->tokenize().Tokenize(&ok_context, request, &response).ok());
  EXPECT_EQ(response.results_size(), 1);
}

TEST(ServerOpsTest, StreamStopsReadingWhileTooManyAnswersAreUnwritten) {
  auto h = ServerHarness::Start(EmbeddingModelDir());
  auto held = HoldEngine(*h, 31);
  constexpr int kMessages = 3 * EmbedStreamReactor::kMaxUnanswered;
  grpc::ClientContext stream_context;
  auto stream = h->embed().EmbedStream(&stream_context);
  // Small messages: flow control lets all of them reach the server's
  // transport, so only the reactor's pause can keep them out of the queue.
  std::thread writer([&] {
    for (int i = 0; i < kMessages; ++i) {
      v1::EmbedStreamRequest message;
      message.set_id(absl::StrCat(i));
      *message.mutable_request() = Marked(100 + i);
      if (!stream->Write(message)) return;
    }
    stream->WritesDone();
  });
  WaitForInFlight(*h, 1 + EmbedStreamReactor::kMaxUnanswered);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(h->MetricSum("mbserve_in_flight_requests"), 1 + EmbedStreamReactor::kMaxUnanswered);

  h->engine().gate.Open();
  EXPECT_TRUE(held->call.done.get_future().get().ok());
  std::set<std::string> ids;
  v1::EmbedStreamResponse response;
  while (stream->Read(&response)) {
    EXPECT_TRUE(response.has_response()) << response.error().message();
    EXPECT_TRUE(ids.insert(response.id()).second) << "duplicate " << response.id();
  }
  writer.join();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(ids.size(), kMessages);
}

TEST(ServerOpsTest, StreamRefusesALongIdAndGoesOn) {
  auto h = ServerHarness::Start(EmbeddingModelDir());
  grpc::ClientContext stream_context;
  auto stream = h->embed().EmbedStream(&stream_context);
  v1::EmbedStreamRequest message;
  message.set_id(std::string(EmbedStreamReactor::kMaxIdBytes + 1, 'x'));
  *message.mutable_request() = EmbedTexts({"first"});
  ASSERT_TRUE(stream->Write(message));
  v1::EmbedStreamResponse response;
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.id(), "");
  EXPECT_EQ(response.error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(response.error().message(),
            absl::StrCat("id is ", EmbedStreamReactor::kMaxIdBytes + 1, " bytes; the limit is ",
                         EmbedStreamReactor::kMaxIdBytes));

  message.set_id(std::string(EmbedStreamReactor::kMaxIdBytes, 'y'));
  ASSERT_TRUE(stream->Write(message));
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.id(), message.id());
  EXPECT_TRUE(response.has_response()) << response.error().message();
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

// Server::Start with the harness's engine and tokenizer and a tweaked copy of
// its configuration.
absl::StatusOr<std::unique_ptr<Server>> StartAnother(
    ServerHarness& h, const std::function<void(ServerConfig&)>& tweak, Metrics& metrics) {
  ServerConfig config = h.config();
  tweak(config);
  return Server::Start(config, h.engine(), h.tokenizer(), metrics);
}

TEST(ServerOpsTest, APortInUseIsAnErrorNotASharedPort) {
  auto h = ServerHarness::Start(EmbeddingModelDir());
  Metrics metrics;
  absl::StatusOr<std::unique_ptr<Server>> second = StartAnother(
      *h, [&](ServerConfig& c) { c.port = h->server().port(); }, metrics);
  ASSERT_FALSE(second.ok()) << "a second server listens on port " << h->server().port();
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(absl::StrCat(
                "cannot listen on 127.0.0.1:", h->server().port(), ": the port is in use")),
            std::string::npos)
      << second.status();
}

TEST(ServerOpsTest, TlsFileErrorsNameTheFlagTheFileAndWhy) {
  auto h = ServerHarness::Start(EmbeddingModelDir());
  Metrics metrics;
  const std::string model = EmbeddingModelDir();
  const auto start_error = [&](const std::string& cert, const std::string& key) {
    absl::StatusOr<std::unique_ptr<Server>> server = StartAnother(
        *h,
        [&](ServerConfig& c) {
          c.tls_cert = cert;
          c.tls_key = key;
        },
        metrics);
    EXPECT_FALSE(server.ok());
    EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument) << server.status();
    return std::string(server.status().message());
  };
  // A device is refused before it is read: reading /dev/zero never ends.
  EXPECT_EQ(start_error("/dev/zero", "/dev/zero"),
            "--tls-cert (MBSERVE_TLS_CERT): /dev/zero is not a regular file");
  EXPECT_EQ(start_error(model, model),
            absl::StrCat("--tls-cert (MBSERVE_TLS_CERT): ", model, " is not a regular file"));
  EXPECT_EQ(start_error(model + "/missing.pem", model),
            absl::StrCat("--tls-cert (MBSERVE_TLS_CERT): cannot open ", model,
                         "/missing.pem: No such file or directory"));
  EXPECT_EQ(start_error(model + "/config.json", model),
            absl::StrCat("--tls-cert (MBSERVE_TLS_CERT): ", model,
                         "/config.json is not PEM: no \"-----BEGIN CERTIFICATE-----\" line"));
}

TEST(ServerOpsTest, ShutdownAnswersEveryAcceptedCallAndStream) {
  auto h = ServerHarness::Start(EmbeddingModelDir());
  auto held = HoldEngine(*h, 31);
  std::vector<v1::EmbedRequest> requests;
  for (int i = 0; i < 8; ++i) requests.push_back(Marked(40 + i, 3 + i));
  std::vector<std::unique_ptr<AsyncEmbed>> calls;
  for (const v1::EmbedRequest& request : requests) {
    calls.push_back(std::make_unique<AsyncEmbed>());
    calls.back()->Start(h->embed(), request);
  }
  grpc::ClientContext stream_context;
  auto stream = h->embed().EmbedStream(&stream_context);
  for (int i = 0; i < 3; ++i) {
    v1::EmbedStreamRequest message;
    message.set_id(absl::StrCat(i));
    *message.mutable_request() = Marked(60 + i);
    ASSERT_TRUE(stream->Write(message));
  }
  WaitForInFlight(*h, 12);  // 1 held + 8 unary + 3 stream

  int cut = -1;
  std::thread shutdown([&] { cut = h->server().Shutdown(); });
  std::this_thread::sleep_for(200ms);
  h->engine().gate.Open();
  shutdown.join();
  EXPECT_EQ(cut, 0);
  EXPECT_TRUE(held->call.done.get_future().get().ok());

  for (auto& call : calls) {
    const grpc::Status status = call->done.get_future().get();
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(call->response.embeddings_size(), 1);
  }
  std::set<std::string> ids;
  v1::EmbedStreamResponse response;
  while (stream->Read(&response)) {
    EXPECT_TRUE(response.has_response()) << response.error().message();
    ids.insert(response.id());
  }
  EXPECT_EQ(ids, (std::set<std::string>{"0", "1", "2"}));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(h->engine().gate.Saw(40 + i));
}

TEST(ServerOpsTest, ShutdownCountsTheCallsItsTimeoutCuts) {
  auto h = ServerHarness::Start(
      EmbeddingModelDir(), [](ServerConfig& c) { c.shutdown_timeout = absl::Milliseconds(300); });
  auto held = HoldEngine(*h, 31);
  std::vector<v1::EmbedRequest> requests;
  for (int i = 0; i < 3; ++i) requests.push_back(Marked(40 + i));
  std::vector<std::unique_ptr<AsyncEmbed>> calls;
  for (const v1::EmbedRequest& request : requests) {
    calls.push_back(std::make_unique<AsyncEmbed>());
    calls.back()->Start(h->embed(), request);
  }
  WaitForInFlight(*h, 4);

  int cut = -1;
  std::thread shutdown([&] { cut = h->server().Shutdown(); });
  std::this_thread::sleep_for(1s);  // past the timeout, with the engine held
  h->engine().gate.Open();
  shutdown.join();
  EXPECT_EQ(cut, 4);
  for (auto& call : calls) EXPECT_FALSE(call->done.get_future().get().ok());
}

}  // namespace
}  // namespace mbserve::server::testing
