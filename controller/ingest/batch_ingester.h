// Applies decoded agent messages to a pending WriteSet and decides each batch's
// ack. Holds the delivery rules: a batch is stored once (de-duplicated by host,
// epoch and sequence), in order (a gap is refused with the sequence needed next,
// unless the agent declares the missing batches dropped), and only when every
// series it uses is known; otherwise nothing of it is written.
#pragma once

#include <cstdint>
#include <string>

#include "common/metrics/host_id.h"
#include "common/metrics/series_rules.h"
#include "common/wire/agent_link_codec.h"
#include "controller/store/sample_store.h"

namespace tidemark::controller {

// The series shape limits (max_name_bytes, max_labels) come from SeriesShapeLimits,
// shared with `tidemark import`, so both paths accept the same series.
struct IngestLimits : SeriesShapeLimits {
  // Largest number of samples in one batch. Default: 1,000,000.
  size_t max_samples_per_batch = 1'000'000;
  // Largest number of series one host may create. Default: 100,000.
  uint64_t max_series_per_host = 100'000;
};

class BatchIngester {
 public:
  BatchIngester(SampleStore& store, IngestLimits limits) : store_(store), limits_(limits) {}

  // Adds the batch's samples to `writes` when it is the next one for its host, and
  // returns the ack to send once `writes` is committed.
  wire::AckData ingest(WriteSet& writes, const wire::MetricBatchData& batch, int64_t now_ms);

  // Records the agent's identity and facts; returns the welcome to send after commit.
  wire::WelcomeData hello(WriteSet& writes, const wire::HelloData& hello, int64_t now_ms);

 private:
  // Empty when the announcement is acceptable, else why not.
  std::string checkAnnouncement(const wire::SeriesAnnouncementData& announcement) const;

  SampleStore& store_;
  IngestLimits limits_;
};

}  // namespace tidemark::controller
