// One line of progress on a terminal for work that takes a while (a report over a
// large fleet); silent when the output is not a terminal, so scripts and logs stay clean.
#pragma once

#include <cstdio>
#include <string_view>

namespace tidemark::cli {

class Progress {
 public:
  // Draws on `stream` only when it is a terminal (or when `force` says so, for tests).
  explicit Progress(std::FILE* stream, bool force = false);
  ~Progress();

  // "report: history of db-01 [5/15]", redrawn in place.
  void update(std::string_view step, size_t done, size_t total);
  // Clears the line.
  void finish();
  bool enabled() const { return enabled_; }

 private:
  std::FILE* stream_;
  bool enabled_;
  size_t width_ = 0;  // of the line drawn last, to clear it
};

}  // namespace tidemark::cli
