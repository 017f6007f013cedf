#include "controller/store/retention_filter.h"

#include "controller/store/key_codec.h"

namespace tidemark::controller {

namespace {

class RetentionFilter : public rocksdb::CompactionFilter {
 public:
  RetentionFilter(RetentionRule rule, int64_t now_ms) : rule_(rule), now_ms_(now_ms) {}

  bool Filter(int /*level*/, const rocksdb::Slice& key, const rocksdb::Slice& /*value*/,
              std::string* /*new_value*/, bool* /*value_changed*/) const override {
    return RetentionFilterFactory::expired(key, rule_, now_ms_);
  }
  const char* Name() const override { return "tidemark.retention"; }

 private:
  RetentionRule rule_;
  int64_t now_ms_;
};

}  // namespace

RetentionFilterFactory::RetentionFilterFactory(RetentionRule rule, std::function<int64_t()> now_ms,
                                               const char* name)
    : rule_(rule), now_ms_(std::move(now_ms)), name_(name) {}

std::unique_ptr<rocksdb::CompactionFilter> RetentionFilterFactory::CreateCompactionFilter(
    const rocksdb::CompactionFilter::Context& /*context*/) {
  // One clock reading per compaction: records of one compaction expire together.
  return std::make_unique<RetentionFilter>(rule_, now_ms_());
}

bool RetentionFilterFactory::expired(const rocksdb::Slice& key, const RetentionRule& rule,
                                     int64_t now_ms) {
  if (rule.retention_ms <= 0 || key.size() < 16) return false;
  const int64_t start = keys::readTimestamp(std::string_view(key.data() + 8, 8));
  return start < now_ms - rule.retention_ms - rule.max_span_ms;
}

}  // namespace tidemark::controller
