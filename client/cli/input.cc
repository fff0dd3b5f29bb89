#include "client/cli/input.h"

#include <fstream>

#include "absl/strings/str_cat.h"

namespace mbserve::cli {
namespace {

absl::StatusOr<std::vector<std::string>> ReadLines(std::istream& in, absl::string_view source,
                                                   bool pairs) {
  std::vector<std::string> texts;
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // files written on Windows
    if (line.empty()) continue;
    if (!pairs) {
      texts.push_back(std::move(line));
      continue;
    }
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, " line ", line_number,
                       " has no TAB: with --pairs each line is FIRST<TAB>SECOND"));
    }
    texts.push_back(line.substr(0, tab));
    texts.push_back(line.substr(tab + 1));
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat("reading ", source, " failed"));
  if (texts.empty()) return absl::InvalidArgumentError(absl::StrCat(source, " has no texts"));
  return texts;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ReadTexts(const InputOptions& input,
                                                   std::istream& stdin_stream,
                                                   bool stdin_is_terminal) {
  if (!input.texts.empty()) return input.texts;
  if (input.file.empty() || input.file == "-") {
    if (input.file.empty() && stdin_is_terminal) {
      return absl::InvalidArgumentError(
          "no texts: give them as arguments, with --file FILE, or on stdin");
    }
    return ReadLines(stdin_stream, "stdin", input.pairs);
  }
  std::ifstream file(input.file);
  if (!file) return absl::NotFoundError(absl::StrCat("--file ", input.file, ": cannot open it"));
  return ReadLines(file, absl::StrCat("--file ", input.file), input.pairs);
}

}  // namespace mbserve::cli
