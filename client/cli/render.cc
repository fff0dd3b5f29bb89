#include "client/cli/render.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"

namespace mbserve::cli {
namespace {

// Values shown of an embedding in a table; JSON has them all.
constexpr int kPreviewValues = 4;
constexpr size_t kPreviewChars = 40;

std::string InputCell(std::span<const std::string> inputs, int index) {
  if (index >= static_cast<int>(inputs.size())) return absl::StrCat(index);
  return Preview(inputs[index], kPreviewChars);
}

std::string TokenCount(uint32_t num_tokens, bool truncated) {
  return truncated ? absl::StrCat(num_tokens, " (truncated)") : absl::StrCat(num_tokens);
}

std::string ValuesPreview(const google::protobuf::RepeatedField<float>& values) {
  std::vector<std::string> shown;
  const int n = values.size();
  const bool cut = n > kPreviewValues + 1;
  for (int i = 0; i < n; ++i) {
    if (cut && i == kPreviewValues - 1) {
      shown.emplace_back("…");
      i = n - 1;  // the last value follows the ellipsis
    }
    shown.push_back(absl::StrFormat("%.4f", values[i]));
  }
  return absl::StrCat("[", absl::StrJoin(shown, ", "), "]");
}

double L2Norm(const google::protobuf::RepeatedField<float>& values) {
  double sum = 0;
  for (float v : values) sum += double{v} * v;
  return std::sqrt(sum);
}

std::string Millis(uint64_t micros) { return absl::StrFormat("%.2f", micros / 1000.0); }

std::string PoolingName(v1::Pooling pooling) {
  switch (pooling) {
    case v1::POOLING_CLS:
      return "cls";
    case v1::POOLING_MEAN:
      return "mean";
    default:
      return "unspecified";
  }
}

}  // namespace

std::string RenderJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  // Zeros and false are answers too ("truncated": false), not absences.
  options.always_print_primitive_fields = true;
  std::string json;
  // Printing a valid message cannot fail (no Any fields to resolve).
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json + "\n";
}

Table EmbedTable(const v1::EmbedResponse& response, std::span<const std::string> inputs) {
  Table table{{"#", "input", "tokens", "dims", "norm", "values"},
              {true, false, true, true, true, false},
              {}};
  for (int i = 0; i < response.embeddings_size(); ++i) {
    const v1::Embedding& e = response.embeddings(i);
    table.rows.push_back({absl::StrCat(i), InputCell(inputs, i),
                          TokenCount(e.num_tokens(), e.truncated()), absl::StrCat(e.values_size()),
                          absl::StrFormat("%.4f", L2Norm(e.values())), ValuesPreview(e.values())});
  }
  return table;
}

Table ClassifyTable(const v1::ClassifyResponse& response, std::span<const std::string> inputs) {
  Table table{{"#", "input", "tokens", "label", "score"}, {true, false, true, false, true}, {}};
  for (int i = 0; i < response.results_size(); ++i) {
    const v1::Classification& c = response.results(i);
    // One row per class; the input and its tokens only on its first row.
    for (int k = 0; k < c.scores_size(); ++k) {
      const bool first = k == 0;
      table.rows.push_back({first ? absl::StrCat(i) : "", first ? InputCell(inputs, i) : "",
                            first ? TokenCount(c.num_tokens(), c.truncated()) : "",
                            c.scores(k).label(), absl::StrFormat("%.4f", c.scores(k).score())});
    }
  }
  return table;
}

Table TokenizeTable(const v1::TokenizeResponse& response, std::span<const std::string> inputs) {
  Table table{{"#", "input", "pos", "id", "token", "bytes", "special"},
              {true, false, true, true, false, false, false},
              {}};
  for (int i = 0; i < response.results_size(); ++i) {
    const v1::Tokenization& t = response.results(i);
    for (int p = 0; p < t.tokens_size(); ++p) {
      const v1::Token& token = t.tokens(p);
      const bool first = p == 0;
      table.rows.push_back({first ? absl::StrCat(i) : "", first ? InputCell(inputs, i) : "",
                            absl::StrCat(p), absl::StrCat(token.id()), token.text(),
                            absl::StrCat(token.start(), "..", token.end()),
                            token.special() ? "yes" : ""});
    }
  }
  return table;
}

Table InfoTable(const v1::GetInfoResponse& r) {
  const v1::Limits& l = r.limits();
  Table table{{"field", "value"}, {false, false}, {}};
  auto row = [&table](std::string field, std::string value) {
    table.rows.push_back({std::move(field), std::move(value)});
  };
  row("version", r.version());
  row("model_id", r.model_id());
  row("architecture", r.architecture());
  row("hidden_size", absl::StrCat(r.hidden_size()));
  row("num_layers", absl::StrCat(r.num_layers()));
  row("vocab_size", absl::StrCat(r.vocab_size()));
  row("max_input_length", absl::StrCat(r.max_input_length()));
  row("pooling", PoolingName(r.pooling()));
  row("normalize", r.normalize() ? "true" : "false");
  row("prompt_names", absl::StrJoin(r.prompt_names(), ", "));
  row("default_prompt_name", r.default_prompt_name());
  row("labels", absl::StrJoin(r.labels(), ", "));
  row("dtype", r.dtype());
  row("device", r.device());
  row("max_concurrent_requests", absl::StrCat(l.max_concurrent_requests()));
  row("max_client_batch_size", absl::StrCat(l.max_client_batch_size()));
  row("max_batch_tokens", absl::StrCat(l.max_batch_tokens()));
  row("max_batch_requests", absl::StrCat(l.max_batch_requests()));
  row("max_batch_delay_us", absl::StrCat(l.max_batch_delay_us()));
  row("max_message_bytes", absl::StrCat(l.max_message_bytes()));
  row("tokenization_workers", absl::StrCat(l.tokenization_workers()));
  row("auto_truncate", l.auto_truncate() ? "true" : "false");
  return table;
}

Table HealthTable(const grpc::health::v1::HealthCheckResponse& response,
                  const std::string& service) {
  return Table{{"service", "status"},
               {false, false},
               {{service.empty() ? "(server)" : service,
                 grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status())}}};
}

std::string UsageLine(const v1::Usage& usage, const v1::Timing& timing) {
  return absl::StrCat(usage.total_tokens(), " tokens in ", Millis(timing.total_us()),
                      " ms (tokenization ", Millis(timing.tokenization_us()), ", queue ",
                      Millis(timing.queue_us()), ", inference ", Millis(timing.inference_us()),
                      ")");
}

std::string Preview(absl::string_view text, size_t max_chars) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = text[i];
    const bool starts_char = (c & 0xC0) != 0x80;
    if (starts_char && ++chars > max_chars) {
      // Replace the last kept character by the ellipsis so the cell stays max_chars wide.
      size_t last = out.size();
      while (last > 0 && (static_cast<unsigned char>(out[--last]) & 0xC0) == 0x80) {
      }
      out.resize(last);
      return out + "…";
    }
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : static_cast<char>(c);
  }
  return out;
}

}  // namespace mbserve::cli
