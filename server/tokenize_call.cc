#include "server/tokenize_call.h"

#include <span>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/call_plan.h"
#include "server/grpc_convert.h"
#include "server/input_prep.h"

namespace mbserve::server {

namespace {

// A response larger than --max-message-bytes is refused before it is built
// whole: the server's memory per call stays near that bound, and a client
// whose receive limit matches the server's never gets a message it cannot
// read.
absl::Status ResponseTooLarge(absl::string_view what, int max_message_bytes) {
  return absl::ResourceExhaustedError(absl::StrCat(what, " would exceed --max-message-bytes (",
                                                   max_message_bytes,
                                                   " bytes); send fewer or shorter inputs"));
}

}  // namespace

absl::Status TokenizeAll(const Tokenizer& tokenizer, const ServedModel& model,
                         const v1::TokenizeRequest& request, int max_message_bytes,
                         v1::TokenizeResponse* response) {
  absl::StatusOr<std::string> prompt = ResolvePrompt(PromptOf(request), model);
  if (!prompt.ok()) return prompt.status();
  if (absl::StatusOr<int> length = PromptLength(tokenizer, *prompt, model.max_input_length);
      !length.ok()) {
    return length.status();
  }
  EncodeOptions options;
  options.add_special_tokens = !request.has_add_special_tokens() || request.add_special_tokens();
  // Each token costs its own size plus at most 3 bytes of framing (a tag and
  // a length below 2^14) in the response.
  size_t response_bytes = 0;
  for (int i = 0; i < request.texts_size(); ++i) {
    if (request.texts(i).empty()) {
      return absl::InvalidArgumentError(absl::StrCat("texts[", i, "] is empty"));
    }
    absl::StatusOr<Encoding> encoding =
        tokenizer.Encode(absl::StrCat(*prompt, request.texts(i)), options);
    if (!encoding.ok()) {
      return absl::Status(encoding.status().code(),
                          absl::StrCat("texts[", i, "]: ", encoding.status().message()));
    }
    v1::Tokenization* result = response->add_results();
    response_bytes += 3;
    for (size_t t = 0; t < encoding->ids.size(); ++t) {
      v1::Token* token = result->add_tokens();
      token->set_id(static_cast<uint32_t>(encoding->ids[t]));
      token->set_text(encoding->tokens[t]);
      token->set_start(encoding->offsets[t].first);
      token->set_end(encoding->offsets[t].second);
      token->set_special(encoding->special_tokens_mask[t] != 0);
      response_bytes += token->ByteSizeLong() + 3;
      if (response_bytes > static_cast<size_t>(max_message_bytes)) {
        response->Clear();
        return ResponseTooLarge(
            absl::StrCat("the response, at texts[", i, "] (", encoding->ids.size(), " tokens),"),
            max_message_bytes);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status DetokenizeIds(const Tokenizer& tokenizer, const v1::DetokenizeRequest& request,
                           int max_message_bytes, v1::DetokenizeResponse* response) {
  const std::span<const uint32_t> requested(request.ids().data(), request.ids().size());
  if (absl::Status s = CheckTokenIds("ids", requested, tokenizer.vocab_size()); !s.ok()) return s;
  const std::vector<int32_t> ids(requested.begin(), requested.end());
  const bool skip = !request.has_skip_special_tokens() || request.skip_special_tokens();
  absl::StatusOr<std::string> text = tokenizer.Decode(ids, skip);
  if (!text.ok()) return text.status();
  if (text->size() > static_cast<size_t>(max_message_bytes)) {
    return ResponseTooLarge(absl::StrCat("the text (", text->size(), " bytes)"), max_message_bytes);
  }
  response->set_text(std::move(*text));
  return absl::OkStatus();
}

}  // namespace mbserve::server
