// Retention without scanning: a RocksDB compaction filter that drops a record keyed
// (series id, start timestamp, ...) once everything it can hold is older than the
// retention. Compactions run it on the data they rewrite anyway, and the column
// families set periodic_compaction_seconds so that cold files are rewritten (and
// filtered) at least daily. Readers also clamp their ranges to the retention, so
// expired data is never returned while it waits for its compaction.
#pragma once

#include <rocksdb/compaction_filter.h>

#include <cstdint>
#include <functional>
#include <memory>

namespace tidemark::controller {

struct RetentionRule {
  // Records older than this are dropped; 0 keeps everything.
  int64_t retention_ms = 0;
  // Longest time span one record covers (its start is in the key).
  int64_t max_span_ms = 0;
};

class RetentionFilterFactory : public rocksdb::CompactionFilterFactory {
 public:
  // `now_ms` returns the wall clock in unix milliseconds (injected for tests).
  RetentionFilterFactory(RetentionRule rule, std::function<int64_t()> now_ms, const char* name);

  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& context) override;
  const char* Name() const override { return name_; }

  // True when a record with this key has expired at `now_ms`.
  static bool expired(const rocksdb::Slice& key, const RetentionRule& rule, int64_t now_ms);

 private:
  RetentionRule rule_;
  std::function<int64_t()> now_ms_;
  const char* name_;
};

}  // namespace tidemark::controller
