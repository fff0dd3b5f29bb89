#include "client/cli/commands.h"

#include "client/cli/connection.h"
#include "client/cli/render.h"

namespace mbserve::cli {

int ReportError(const Io& io, absl::string_view command, const absl::Status& status,
                int exit_code) {
  io.err << "mbserve-cli " << command << ": " << status.message() << "\n";
  return exit_code;
}

int ReportRpcError(const Io& io, absl::string_view command, const grpc::Status& status) {
  io.err << "mbserve-cli " << command << ": " << DescribeStatus(status) << "\n";
  return kExitFailed;
}

void PrintResponse(const Io& io, const google::protobuf::Message& response, const Table& table,
                   absl::string_view footer) {
  if (io.format == OutputFormat::kJson) {
    io.out << RenderJson(response);
    return;
  }
  io.out << RenderTable(table);
  if (!footer.empty()) io.out << footer << "\n";
}

}  // namespace mbserve::cli
