// A collector of one file: reads it through the FileReader (reusing one buffer) and
// hands the text to a pure parser, then logs what the parser found wrong. Most
// /proc collectors are exactly this and differ only in name, path and parser.
#pragma once

#include <string>
#include <string_view>

#include "agent/collectors/collector.h"
#include "agent/collectors/parse_util.h"
#include "agent/io/file_reader.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

class FileCollector : public Collector {
 public:
  using Parser = void (*)(std::string_view text, SampleWriter& out, ParseProblems& problems);

  // `name` and `path` must outlive the collector (string literals in practice).
  FileCollector(std::string_view name, std::string_view path, Parser parse, FileReader& reader,
                ThrottledLog& log)
      : name_(name), path_(path), parse_(parse), reader_(reader), log_(log) {}

  // Collector
  std::string_view name() const final { return name_; }
  void collect(SampleWriter& out) final;

 private:
  std::string_view name_;
  std::string_view path_;
  Parser parse_;
  FileReader& reader_;
  ThrottledLog& log_;
  std::string buffer_;
};

}  // namespace tidemark::agent
