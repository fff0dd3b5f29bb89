// Plain-text tables for terminal output.
#pragma once

#include <string>
#include <vector>

namespace mbserve::cli {

struct Table {
  std::vector<std::string> header;
  // Per column; numbers read best right-aligned. Missing entries mean left.
  std::vector<bool> right_align;
  std::vector<std::vector<std::string>> rows;
};

// Columns are padded to their widest cell (counted in UTF-8 code points, so
// non-ASCII text lines up) and separated by two spaces; a rule follows the
// header. Trailing spaces are trimmed.
std::string RenderTable(const Table& table);

}  // namespace mbserve::cli
