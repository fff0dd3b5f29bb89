// Calls created directly, with no gRPC in between, as a front end other than
// gRPC would: the same results and errors as the gRPC API gives.
#include "server/call.h"

#include <future>

#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/server/server_harness.h"

namespace mbserve::server::testing {
namespace {

class CallTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    harness_ = ServerHarness::StartShared(
        ClassifierModelDir, [](ServerConfig& c) { c.max_client_batch_size = 4; }, error_);
  }
  static void TearDownTestSuite() { delete harness_; }
  void SetUp() override { ASSERT_NE(harness_, nullptr) << error_; }

  // Starts a call (or cancels it first) and waits for its result.
  static absl::StatusOr<CallResponse> Run(Rpc rpc, CallRequest request, bool cancel = false) {
    std::promise<absl::StatusOr<CallResponse>> result;
    std::shared_ptr<Call> call =
        Call::Create(harness_->server().serving(), rpc, "call_test", Clock::time_point::max(),
                     [&result](absl::StatusOr<CallResponse> r) { result.set_value(std::move(r)); });
    if (cancel) call->Cancel();
    call->Start(std::move(request));
    return result.get_future().get();
  }

  static ServerHarness* harness_;
  static std::string error_;
};
ServerHarness* CallTest::harness_ = nullptr;
std::string CallTest::error_;

TEST_F(CallTest, EmbedEqualsTheGrpcResponse) {
  CallRequest request;
  request.inputs = {std::string("hello world"), std::string("a second input")};
  request.dimensions = 8;
  const absl::StatusOr<CallResponse> direct = Run(Rpc::kEmbed, request);
  ASSERT_TRUE(direct.ok()) << direct.status();

  v1::EmbedRequest proto = EmbedTexts({"hello world", "a second input"});
  proto.set_dimensions(8);
  grpc::ClientContext context;
  v1::EmbedResponse over_grpc;
  ASSERT_TRUE(harness_->embed().Embed(&context, proto, &over_grpc).ok());

  ASSERT_EQ(direct->outputs.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const v1::Embedding& expected = over_grpc.embeddings(i);
    EXPECT_EQ(direct->outputs[i].embedding,
              std::vector<float>(expected.values().begin(), expected.values().end()));
    EXPECT_EQ(direct->outputs[i].num_tokens, static_cast<int>(expected.num_tokens()));
  }
  EXPECT_EQ(direct->total_tokens, over_grpc.usage().total_tokens());
  EXPECT_GT(direct->timing.total, Clock::duration::zero());
}

TEST_F(CallTest, ClassifyTakesPairsAndRanksScores) {
  CallRequest request;
  request.kind = CallKind::kClassify;
  request.inputs = {TextPair{"a question", "an answer"}};
  request.top_k = 1;
  const absl::StatusOr<CallResponse> result = Run(Rpc::kClassify, request);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->outputs.size(), 1u);
  ASSERT_EQ(result->outputs[0].scores.size(), 1u);
  EXPECT_EQ(result->outputs[0].scores[0].label,
            harness_->server().model().labels.at(result->outputs[0].scores[0].index));
}

TEST_F(CallTest, ErrorsAreTheValidationErrorsOfTheApi) {
  CallRequest too_many;
  too_many.inputs.assign(5, std::string("x"));
  absl::StatusOr<CallResponse> result = Run(Rpc::kEmbed, too_many);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("--max-client-batch-size is 4"), std::string::npos)
      << result.status();

  CallRequest pair_to_embed;
  pair_to_embed.inputs = {std::string("fine"), TextPair{"a", "b"}};
  result = Run(Rpc::kEmbed, pair_to_embed);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("inputs[1] is a text pair"), std::string::npos)
      << result.status();

  CallRequest cancelled;
  cancelled.inputs = {std::string("never runs")};
  result = Run(Rpc::kEmbed, cancelled, /*cancel=*/true);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled) << result.status();
}

}  // namespace
}  // namespace mbserve::server::testing
