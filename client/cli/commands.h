// The subcommands of mbserve-cli. Each returns the process exit status.
#pragma once

#include <istream>
#include <ostream>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "client/cli/args.h"
#include "client/cli/table.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"

namespace mbserve::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the call failed, or health is not SERVING
inline constexpr int kExitUsage = 2;

// The process's streams, passed in so commands do not reach for globals.
struct Io {
  std::istream& in;
  bool in_is_terminal;
  std::ostream& out;
  std::ostream& err;
  bool err_is_terminal;
  OutputFormat format;  // kJson or kTable, never kAuto
};

int RunEmbed(const CliOptions& options, const Io& io);
int RunClassify(const CliOptions& options, const Io& io);
int RunTokenize(const CliOptions& options, const Io& io);
int RunInfo(const CliOptions& options, const Io& io);
int RunHealth(const CliOptions& options, const Io& io);
int RunBench(const CliOptions& options, const Io& io);

// Shared by the commands: one message on stderr, and the exit status.
int ReportError(const Io& io, absl::string_view command, const absl::Status& status, int exit_code);
int ReportRpcError(const Io& io, absl::string_view command, const grpc::Status& status);

// Writes the response as JSON, or as the table followed by an optional footer line.
void PrintResponse(const Io& io, const google::protobuf::Message& response, const Table& table,
                   absl::string_view footer = {});

}  // namespace mbserve::cli
