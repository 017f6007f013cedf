#include "controller/cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <string>

namespace tidemark::cli {

Progress::Progress(std::FILE* stream, bool force)
    : stream_(stream), enabled_(force || ::isatty(::fileno(stream)) == 1) {}

Progress::~Progress() { finish(); }

void Progress::update(std::string_view step, size_t done, size_t total) {
  if (!enabled_) return;
  std::string line = fmt::format("{} [{}/{}]", step, done, total);
  const size_t width = line.size();
  if (width < width_) line.append(width_ - width, ' ');
  std::fprintf(stream_, "\r%s", line.c_str());
  std::fflush(stream_);
  width_ = width;
}

void Progress::finish() {
  if (!enabled_ || width_ == 0) return;
  std::fprintf(stream_, "\r%s\r", std::string(width_, ' ').c_str());
  std::fflush(stream_);
  width_ = 0;
}

}  // namespace tidemark::cli
