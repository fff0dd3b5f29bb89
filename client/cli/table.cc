#include "client/cli/table.h"

#include <algorithm>

namespace mbserve::cli {
namespace {

size_t DisplayWidth(const std::string& text) {
  // Continuation bytes (10xxxxxx) do not start a code point.
  return std::count_if(text.begin(), text.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

void AppendRow(const std::vector<std::string>& cells, const std::vector<size_t>& widths,
               const std::vector<bool>& right_align, std::string& out) {
  std::string line;
  for (size_t c = 0; c < widths.size(); ++c) {
    const std::string& cell = c < cells.size() ? cells[c] : std::string();
    const std::string padding(widths[c] - DisplayWidth(cell), ' ');
    if (c > 0) line += "  ";
    const bool right = c < right_align.size() && right_align[c];
    line += right ? padding + cell : cell + padding;
  }
  line.erase(line.find_last_not_of(' ') + 1);
  out += line;
  out += '\n';
}

}  // namespace

std::string RenderTable(const Table& table) {
  size_t columns = table.header.size();
  for (const auto& row : table.rows) columns = std::max(columns, row.size());
  std::vector<size_t> widths(columns, 0);
  auto widen = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c)
      widths[c] = std::max(widths[c], DisplayWidth(cells[c]));
  };
  widen(table.header);
  for (const auto& row : table.rows) widen(row);

  std::string out;
  AppendRow(table.header, widths, table.right_align, out);
  std::vector<std::string> rule;
  for (size_t width : widths) rule.emplace_back(width, '-');
  AppendRow(rule, widths, {}, out);
  for (const auto& row : table.rows) AppendRow(row, widths, table.right_align, out);
  return out;
}

}  // namespace mbserve::cli
