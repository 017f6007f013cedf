// The head log: one record per commit holding the samples that went into the
// in-memory heads (samples not yet in a sealed chunk). Written in the same RocksDB
// write as everything else of the commit, so it is in the WAL before the batch is
// acked; replayed into the heads when the store opens; deleted by range once every
// head has sealed past it. Records are keyed by a commit number (big-endian).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::controller {

// Samples of one series in one record, oldest first.
struct HeadLogRun {
  uint64_t series_id = 0;
  std::vector<int64_t> timestamps_ms;
  std::vector<double> values;
};

class HeadLogWriter {
 public:
  void add(uint64_t series_id, std::span<const int64_t> timestamps_ms,
           std::span<const double> values);
  bool empty() const { return runs_ == 0; }
  // Moves the runs of `other` after this writer's (parts of one commit prepared apart).
  void append(HeadLogWriter&& other);
  // The record; the writer is empty again afterwards.
  std::string finish();

 private:
  std::string body_;
  uint64_t runs_ = 0;
};

// False (and `runs` unspecified) when the record is damaged.
bool decodeHeadLogRecord(std::string_view record, std::vector<HeadLogRun>& runs);

}  // namespace tidemark::controller
