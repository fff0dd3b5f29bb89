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
  using namespace mbserve::cli;
  const std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<CliOptions> options = ParseArgs(args, GetEnv);
  if (!options.ok()) {
    std::cerr << "mbserve-cli: " << options.status().message() << "\n";
    return kExitUsage;
  }
  if (options->help) {
    std::cout << UsageText();
    return kExitOk;
  }
  const bool out_is_terminal = isatty(STDOUT_FILENO) != 0;
  OutputFormat format = options->output;
  if (format == OutputFormat::kAuto)
    format = out_is_terminal ? OutputFormat::kTable : OutputFormat::kJson;
  const Io io{std::cin,  isatty(STDIN_FILENO) != 0,  std::cout,
              std::cerr, isatty(STDERR_FILENO) != 0, format};
  switch (options->command) {
    case Command::kEmbed:
      return RunEmbed(*options, io);
    case Command::kClassify:
      return RunClassify(*options, io);
    case Command::kTokenize:
      return RunTokenize(*options, io);
    case Command::kInfo:
      return RunInfo(*options, io);
    case Command::kHealth:
      return RunHealth(*options, io);
    case Command::kBench:
      return RunBench(*options, io);
  }
  return kExitUsage;
}
