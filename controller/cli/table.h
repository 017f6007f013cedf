// Plain-text tables for the CLI: left-aligned text, right-aligned numbers.
#pragma once

#include <string>
#include <vector>

#include "common/text/units.h"

namespace tidemark::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers, std::vector<bool> right_aligned = {});
  void addRow(std::vector<std::string> cells);
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_aligned_;
  std::vector<std::vector<std::string>> rows_;
};

// The unit formatters, under the names the CLI's commands have always used.
using tidemark::formatAgo;
using tidemark::formatBytes;
using tidemark::formatPercent;
using tidemark::formatValue;
using tidemark::groupDigits;

}  // namespace tidemark::cli
