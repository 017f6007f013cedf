// Gives every series the agent collects a small id, stable for the life of the
// agent's state dir (the epoch), so batches carry 4-byte ids instead of names.
// New definitions are appended to a journal in the state dir before they are used,
// so ids survive restarts and batches replayed later still mean the same series.
// Lookups in steady state do not allocate.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/metrics/series.h"

namespace tidemark::agent {

struct SeriesDefinition {
  std::string name;
  Labels labels;  // sorted by name
};

class SeriesRegistry {
 public:
  // In memory only (tests, benchmarks).
  SeriesRegistry() = default;
  // Loads the journal at `journal_path` (missing: empty) and appends to it.
  // Throws std::runtime_error naming the path when it cannot be read or opened;
  // a torn last line (crash while appending) is ignored.
  explicit SeriesRegistry(const std::string& journal_path);
  ~SeriesRegistry();
  SeriesRegistry(const SeriesRegistry&) = delete;
  SeriesRegistry& operator=(const SeriesRegistry&) = delete;

  // Returned by idFor when a new series cannot be journalled (a full or failing
  // disk): the caller skips the sample; the series is tried again next time.
  static constexpr uint32_t kUnjournalled = UINT32_MAX;

  // The id of (name, labels), assigned and journalled when new, or kUnjournalled
  // (see journalError()). Labels in any order.
  uint32_t idFor(std::string_view name, std::span<const LabelView> labels);

  // Why the last journal append failed ("" when the last one worked), with the path.
  const std::string& journalError() const { return journal_error_; }

  const SeriesDefinition& definition(uint32_t id) const { return definitions_[id]; }

  // Whether series `id` is `name` with exactly `labels`, in any order. No allocation,
  // no hashing: what a collector's repeated add() costs instead of idFor().
  bool matches(uint32_t id, std::string_view name, std::span<const LabelView> labels) const;
  size_t size() const { return definitions_.size(); }

  // Whether the controller has confirmed it knows the series.
  bool acknowledged(uint32_t id) const { return acknowledged_[id] != 0; }
  void markAcknowledged(uint32_t id) { acknowledged_[id] = 1; }
  // After the controller asked to resynchronise: every series is announced again.
  void forgetAcknowledgements();

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  void buildKey(std::string_view name, std::span<const LabelView> sorted_labels);
  bool append(uint32_t id, const SeriesDefinition& definition);

  std::vector<SeriesDefinition> definitions_;
  std::vector<uint8_t> acknowledged_;
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> ids_;
  std::string key_buffer_;
  std::vector<LabelView> sort_buffer_;
  std::string journal_path_;
  int journal_fd_ = -1;
  uint64_t journal_bytes_ = 0;  // complete lines only: a failed append is cut back to here
  std::string journal_line_;
  std::string journal_error_;
};

}  // namespace tidemark::agent
