// The agent's state dir: its epoch (made once, when the dir is created), the
// sequence numbers it has handed out, the series journal, the outbox and the
// lifetime counters. Sequences are
// reserved in blocks written with fsync, so a crash never reuses a sequence.
#pragma once

#include <cstdint>
#include <string>

namespace tidemark::agent {

class StateDir {
 public:
  // Creates the folder (mode 0700) and its epoch when missing. Throws
  // std::runtime_error naming the path and the reason when it cannot.
  explicit StateDir(std::string path, uint64_t sequence_block = 1000);

  const std::string& path() const { return path_; }
  uint64_t epoch() const { return epoch_; }
  std::string seriesJournalPath() const { return path_ + "/series.tsv"; }
  // The outbox's segment files.
  std::string outboxPath() const { return path_ + "/outbox"; }
  // The outbox's marker and the lifetime counters (collected, acked, dropped).
  std::string countersPath() const { return path_ + "/counters"; }

  // The next batch sequence (1, 2, ...), unique within the epoch across restarts.
  uint64_t nextSequence();
  // The sequence nextSequence() would return, without taking it.
  uint64_t peekSequence() const { return next_sequence_; }

 private:
  void reserveThrough(uint64_t last);

  std::string path_;
  uint64_t sequence_block_;
  uint64_t epoch_ = 0;
  uint64_t next_sequence_ = 1;
  uint64_t reserved_through_ = 0;
};

}  // namespace tidemark::agent
