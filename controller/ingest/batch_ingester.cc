#include "controller/ingest/batch_ingester.h"

#include <algorithm>
#include <unordered_map>

namespace tidemark::controller {

using wire::AckData;
using wire::AckStatus;

std::string BatchIngester::checkAnnouncement(
    const wire::SeriesAnnouncementData& announcement) const {
  std::string problem = checkSeriesShape(announcement.name, announcement.labels, limits_);
  // A bad name cannot name the series; the agent's id does.
  if (!problem.empty() && !problem.starts_with("series ")) {
    problem = "series " + std::to_string(announcement.id) + ": " + problem;
  }
  return problem;
}

AckData BatchIngester::ingest(WriteSet& writes, const wire::MetricBatchData& batch,
                              int64_t now_ms) {
  AckData ack{batch.sequence, AckStatus::kStored, 0, {}};
  auto reject = [&](std::string reason) {
    ack.status = AckStatus::kRejected;
    ack.reason = std::move(reason);
    return ack;
  };
  if (auto problem = checkHostId(batch.host_id); !problem.empty()) return reject(problem);
  if (batch.series_ids.size() > limits_.max_samples_per_batch) {
    return reject(std::to_string(batch.series_ids.size()) + " samples, the limit is " +
                  std::to_string(limits_.max_samples_per_batch));
  }

  HostState& host = store_.hostForWrite(writes, batch.host_id);
  host.last_seen_ms = now_ms;
  if (host.epoch != batch.epoch) {
    // A new state dir on the agent: its sequences and series ids start afresh.
    host.epoch = batch.epoch;
    host.last_sequence = 0;
  }

  if (batch.sequence != 0) {
    if (batch.sequence <= host.last_sequence) {
      ack.status = AckStatus::kDuplicate;
      return ack;
    }
    const uint64_t expected = std::max(host.last_sequence + 1, batch.oldest_pending);
    if (batch.sequence != expected) {
      ack.status = AckStatus::kGap;
      ack.expected_sequence = expected;
      return ack;
    }
  }

  // Check everything before writing anything, so a refused batch leaves no trace.
  std::unordered_map<uint32_t, const wire::SeriesAnnouncementData*> announced;
  for (const auto& announcement : batch.announcements) {
    if (auto problem = checkAnnouncement(announcement); !problem.empty()) return reject(problem);
    announced[announcement.id] = &announcement;
  }
  std::unordered_map<uint32_t, uint64_t> resolved;
  for (uint32_t id : batch.series_ids) {
    if (announced.count(id) || resolved.count(id)) continue;
    auto known = store_.agentSeries(writes, batch.host_id, batch.epoch, id);
    if (!known) {
      ack.status = AckStatus::kResync;
      ack.reason = "series id " + std::to_string(id) + " was never announced";
      return ack;
    }
    resolved[id] = *known;
  }
  if (host.series + announced.size() > limits_.max_series_per_host) {
    // Only series that do not exist yet count: agents announce known series again
    // (every batch until one is acked, and everything after a resync or restart).
    uint64_t new_series = 0;
    for (const auto& [id, announcement] : announced) {
      if (!store_.findSeries(writes, batch.host_id, announcement->name, announcement->labels)) {
        ++new_series;
      }
    }
    if (host.series + new_series > limits_.max_series_per_host) {
      return reject("host would exceed " + std::to_string(limits_.max_series_per_host) +
                    " series");
    }
  }

  for (const auto& [id, announcement] : announced) {
    uint64_t series_id =
        store_.resolveSeries(writes, batch.host_id, announcement->name, announcement->labels);
    store_.mapAgentSeries(writes, batch.host_id, batch.epoch, id, series_id);
    resolved[id] = series_id;
  }
  for (size_t i = 0; i < batch.series_ids.size(); ++i) {
    store_.appendSample(writes, resolved[batch.series_ids[i]], batch.timestampAt(i),
                        batch.values[i]);
  }
  // resolveSeries may have grown the host's series count through the same state.
  HostState& updated = store_.hostForWrite(writes, batch.host_id);
  updated.samples += batch.series_ids.size();
  if (batch.sequence != 0) updated.last_sequence = batch.sequence;
  return ack;
}

wire::WelcomeData BatchIngester::hello(WriteSet& writes, const wire::HelloData& hello,
                                       int64_t now_ms) {
  HostState& host = store_.hostForWrite(writes, hello.host_id);
  if (host.epoch != hello.epoch) {
    host.epoch = hello.epoch;
    host.last_sequence = 0;
  }
  host.last_seen_ms = now_ms;
  host.agent_version = hello.agent_version;
  host.boot_id = hello.boot_id;
  host.interval_ms = hello.interval_ms;
  host.facts = hello.facts;
  return wire::WelcomeData{TIDEMARK_VERSION, host.last_sequence,
                           /*reads_uniform_timestamps=*/true};
}

}  // namespace tidemark::controller
