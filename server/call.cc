#include "server/call.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/postprocess.h"
#include "spdlog/spdlog.h"

namespace mbserve::server {
namespace {

std::vector<ClassScore> RankedScores(std::span<const float> logits, const CallRequest& request,
                                     const std::vector<std::string>& labels) {
  const std::vector<float> scores = ClassScores(logits, request.raw_scores);
  std::vector<ClassScore> ranked;
  for (int index : TopK(scores, static_cast<int>(request.top_k))) {
    ranked.push_back(
        {index,
         index < static_cast<int>(labels.size()) ? labels[index] : absl::StrCat("LABEL_", index),
         scores[index]});
  }
  return ranked;
}

}  // namespace

std::shared_ptr<Call> Call::Create(ServingContext& serving, Rpc rpc, std::string client,
                                   Clock::time_point deadline, Done done) {
  return std::shared_ptr<Call>(
      new Call(serving, rpc, std::move(client), deadline, std::move(done)));
}

Call::Call(ServingContext& serving, Rpc rpc, std::string client, Clock::time_point deadline,
           Done done)
    : serving_(serving),
      rpc_(rpc),
      client_(std::move(client)),
      deadline_(deadline),
      done_(std::move(done)) {}

void Call::Start(CallRequest request) {
  absl::StatusOr<Admission::Permit> permit = serving_.admission.TryAcquire();
  if (!permit.ok()) return Reject(permit.status());
  permit_.emplace(std::move(*permit));
  request_ = std::move(request);
  absl::StatusOr<CallPlan> plan = PlanCall(request_, serving_.model, serving_.config);
  if (!plan.ok()) return Reject(plan.status());
  plan_ = std::move(*plan);
  serving_.tokenization_pool.Post([self = shared_from_this()] { self->Tokenize(); });
}

void Call::Reject(const absl::Status& status) {
  if (ClaimFinish()) Finish(status);
}

absl::Status Call::ClientLiveness(Clock::time_point now) const {
  // gRPC also cancels a call whose deadline passed: check the deadline first
  // so that such calls are counted as DEADLINE_EXCEEDED.
  if (now > deadline_) {
    return absl::DeadlineExceededError("the call's deadline passed before its inputs ran");
  }
  if (cancelled_.load(std::memory_order_relaxed)) {
    return absl::CancelledError("the client cancelled the call");
  }
  return absl::OkStatus();
}

void Call::Tokenize() {
  // A call cancelled or expired while it waited for a worker is not tokenized.
  if (absl::Status live = ClientLiveness(Clock::now()); !live.ok()) return Reject(live);
  absl::StatusOr<std::vector<PreparedInput>> prepared =
      PrepareInputs(request_, plan_, serving_.tokenizer);
  if (!prepared.ok()) return Reject(prepared.status());

  tokenized_ = Clock::now();
  const std::shared_ptr<Call> self = shared_from_this();
  std::vector<QueuedSequence> sequences;
  sequences.reserve(prepared->size());
  for (PreparedInput& input : *prepared) {
    lengths_.push_back(static_cast<int>(input.ids.size()));
    truncated_.push_back(input.truncated);
    SequenceTask task = plan_.task;
    task.pool_from = input.pool_from;
    sequences.push_back(QueuedSequence{self, static_cast<int>(sequences.size()),
                                       std::move(input.ids), std::move(input.type_ids), task,
                                       tokenized_, client_});
  }
  {
    std::lock_guard lock(mu_);
    engine_outputs_.resize(sequences.size());
    remaining_ = static_cast<int>(sequences.size());
  }
  serving_.batcher.Submit(std::move(sequences));
}

absl::Status Call::Liveness(Clock::time_point now) const {
  {
    std::lock_guard lock(mu_);
    if (finished_) return absl::AbortedError("another input of the call failed");
  }
  return ClientLiveness(now);
}

void Call::OnOutput(int index, std::vector<float> output, const BatchTiming& timing) {
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    engine_outputs_[index] = std::move(output);
    first_batch_start_ = std::min(first_batch_start_, timing.start);
    last_batch_end_ = std::max(last_batch_end_, timing.end);
    if (--remaining_ > 0) return;
    finished_ = true;
  }
  Respond();
}

void Call::OnError(const absl::Status& status) { Reject(status); }

void Call::Respond() {
  CallTiming& timing = response_.timing;
  timing.tokenization = tokenized_ - start_;
  timing.queue = first_batch_start_ - tokenized_;
  timing.inference = last_batch_end_ - first_batch_start_;
  serving_.metrics.RecordPhases(rpc_, timing.tokenization, timing.queue, timing.inference);
  serving_.metrics.RecordInputs(rpc_, lengths_);

  response_.outputs.resize(engine_outputs_.size());
  for (size_t i = 0; i < engine_outputs_.size(); ++i) {
    CallOutput& out = response_.outputs[i];
    if (request_.kind == CallKind::kEmbed) {
      out.embedding = ShapeEmbedding(engine_outputs_[i], plan_.dimensions, request_.normalize);
    } else {
      out.scores = RankedScores(engine_outputs_[i], request_, serving_.model.labels);
    }
    out.num_tokens = lengths_[i];
    out.truncated = truncated_[i];
    response_.total_tokens += static_cast<uint64_t>(lengths_[i]);
  }
  engine_outputs_.clear();
  Finish(absl::OkStatus());
}

bool Call::ClaimFinish() {
  std::lock_guard lock(mu_);
  return !std::exchange(finished_, true);
}

void Call::Finish(const absl::Status& status) {
  // `done` may release the front end's reference to this call.
  const std::shared_ptr<Call> self = shared_from_this();
  const Clock::duration total = Clock::now() - start_;
  response_.timing.total = total;
  serving_.metrics.RecordRequest(rpc_, status.code(), total);
  if (!status.ok()) SPDLOG_DEBUG("{} failed: {}", RpcName(rpc_), status.ToString());
  permit_.reset();
  Done done = std::move(done_);
  if (status.ok()) {
    done(std::move(response_));
  } else {
    done(status);
  }
}

}  // namespace mbserve::server
