#include "client/cli/http_connection.h"

#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/cli/http_codec.h"
#include "httplib.h"

namespace mbserve::cli {
namespace {

absl::Status Unreachable(const std::string& base_url, absl::string_view path,
                         const httplib::Result& result) {
  return absl::UnavailableError(
      absl::StrCat("cannot call ", base_url, path, ": ", httplib::to_string(result.error())));
}

absl::StatusOr<nlohmann::json> Answer(const std::string& base_url, absl::string_view path,
                                      const httplib::Result& result) {
  if (!result) return Unreachable(base_url, path, result);
  if (result->status < 200 || result->status >= 300) {
    return HttpErrorStatus(result->status, result->body);
  }
  nlohmann::json answer = nlohmann::json::parse(result->body, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded()) {
    return absl::InternalError(absl::StrCat(base_url, path, " answered with malformed JSON"));
  }
  return answer;
}

}  // namespace

absl::StatusOr<HttpConnection> HttpConnection::Open(const ConnectionOptions& options) {
  if (!options.tls_server_name.empty()) {
    return absl::InvalidArgumentError(
        "--tls-server-name is not supported with --http: the certificate is checked against the "
        "host of --address");
  }
  if (absl::StrContains(options.address, "///")) {
    return absl::InvalidArgumentError(absl::StrCat("--address '", options.address,
                                                   "': --http takes host:port, not a gRPC target"));
  }
  std::string base_url = absl::StrCat(options.tls ? "https://" : "http://", options.address);
  auto client = std::make_unique<httplib::Client>(base_url);
  if (!client->is_valid()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--address '", options.address, "' is not host:port"));
  }
  if (!options.ca_cert_file.empty()) client->set_ca_cert_path(options.ca_cert_file.c_str());
  if (!options.api_key.empty()) client->set_bearer_token_auth(options.api_key.c_str());
  const auto timeout = absl::ToChronoMicroseconds(options.timeout);
  client->set_connection_timeout(timeout);
  client->set_read_timeout(timeout);
  client->set_write_timeout(timeout);
  client->set_keep_alive(true);  // the classify command sends one call per input
  return HttpConnection(std::move(base_url), std::move(client));
}

HttpConnection::HttpConnection(std::string base_url, std::unique_ptr<httplib::Client> client)
    : base_url_(std::move(base_url)), client_(std::move(client)) {}
HttpConnection::HttpConnection(HttpConnection&&) noexcept = default;
HttpConnection::~HttpConnection() = default;

absl::StatusOr<nlohmann::json> HttpConnection::Get(absl::string_view path) {
  const std::string target(path);
  return Answer(base_url_, path, client_->Get(target.c_str()));
}

absl::StatusOr<nlohmann::json> HttpConnection::Post(absl::string_view path,
                                                    const nlohmann::json& body) {
  const std::string target(path);
  return Answer(base_url_, path, client_->Post(target.c_str(), body.dump(), "application/json"));
}

absl::StatusOr<int> HttpConnection::GetStatus(absl::string_view path) {
  const std::string target(path);
  const httplib::Result result = client_->Get(target.c_str());
  if (!result) return Unreachable(base_url_, path, result);
  return result->status;
}

}  // namespace mbserve::cli
