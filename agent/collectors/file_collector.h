// A collector of one file: queues it on the pass's ReadBatch (into one reused slot)
// and hands the text to a pure parser, then logs what the parser found wrong. Most
// /proc collectors are exactly this and differ only in name, path and parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/collectors/collector.h"
#include "agent/collectors/parse_util.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

// How the kernel makes a collector's file (see ReadSlot), which tells whether a short
// read was its end: in one record, or in records of at most max_record_bytes. Unknown
// (the default): a zero-byte read proves it.
struct FileShape {
  bool one_record = false;
  uint32_t max_record_bytes = 0;
};

class FileCollector : public Collector {
 public:
  using Parser = void (*)(std::string_view text, SampleWriter& out, ParseProblems& problems);

  // `name` and `path` must outlive the collector (string literals in practice).
  FileCollector(std::string_view name, std::string_view path, Parser parse, ThrottledLog& log,
                FileShape shape = {})
      : name_(name), path_(path), parse_(parse), log_(log) {
    slot_.one_record = shape.one_record;
    slot_.max_record_bytes = shape.max_record_bytes;
  }

  // Collector
  std::string_view name() const final { return name_; }
  void prepare(ReadBatch& batch) final { batch.queueRead(path_, slot_); }
  void collect(SampleWriter& out) final;

 private:
  std::string_view name_;
  std::string_view path_;
  Parser parse_;
  ThrottledLog& log_;
  ReadSlot slot_;
};

}  // namespace tidemark::agent
