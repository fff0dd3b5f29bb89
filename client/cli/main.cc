// mbserve-cli: wiring only. Parsing is in args.cc, each command in its own file.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "client/cli/args.h"
#include "client/cli/commands.h"

namespace {

std::optional<std::string> GetEnv(absl::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace

int main(int argc, char** argv) {
  using mbserve::cli::CliOptions;
  using mbserve::cli::Command;
  using mbserve::cli::Io;
  using mbserve::cli::kExitOk;
  using mbserve::cli::kExitUsage;
  using mbserve::cli::OutputFormat;
  const std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<CliOptions> options = mbserve::cli::ParseArgs(args, GetEnv);
  if (!options.ok()) {
    std::cerr << "mbserve-cli: " << options.status().message() << "\n";
    return kExitUsage;
  }
  if (options->help) {
    std::cout << mbserve::cli::UsageText();
    return kExitOk;
  }
  OutputFormat format = options->output;
  if (format == OutputFormat::kAuto) {
    format = isatty(STDOUT_FILENO) ? OutputFormat::kTable : OutputFormat::kJson;
  }
  const Io io{std::cin,  isatty(STDIN_FILENO) != 0,  std::cout,
              std::cerr, isatty(STDERR_FILENO) != 0, format};
  switch (options->command) {
    case Command::kEmbed:
      return mbserve::cli::RunEmbed(*options, io);
    case Command::kClassify:
      return mbserve::cli::RunClassify(*options, io);
    case Command::kTokenize:
      return mbserve::cli::RunTokenize(*options, io);
    case Command::kInfo:
      return mbserve::cli::RunInfo(*options, io);
    case Command::kHealth:
      return mbserve::cli::RunHealth(*options, io);
    case Command::kBench:
      return mbserve::cli::RunBench(*options, io);
  }
  return kExitUsage;
}
