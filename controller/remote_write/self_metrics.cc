#include "controller/remote_write/self_metrics.h"

#include <utility>

namespace tidemark::controller::remote_write {

SelfMetricsWriter::SelfMetricsWriter(SampleStore& store, std::string host)
    : store_(store), host_(std::move(host)) {}

std::string SelfMetricsWriter::write(const RemoteWriteStats& stats, int64_t wall_ms) {
  if (wall_ms <= last_written_ms_) return "";
  struct Point {
    const char* name;
    Labels labels;
    double value;
  };
  // Counters are this process's (they restart at 0, as rate() expects of a _total).
  const Point points[] = {
      {"tidemark_remote_write_samples_sent_total", {}, static_cast<double>(stats.samples_sent)},
      {"tidemark_remote_write_samples_failed_total", {}, static_cast<double>(stats.samples_failed)},
      {"tidemark_remote_write_samples_dropped_total",
       {{"reason", "rejected"}},
       static_cast<double>(stats.samples_dropped - stats.samples_dropped_queue)},
      {"tidemark_remote_write_samples_dropped_total",
       {{"reason", "queue_full"}},
       static_cast<double>(stats.samples_dropped_queue)},
      {"tidemark_remote_write_samples_pending", {}, static_cast<double>(stats.samples_pending)},
      {"tidemark_remote_write_queue_bytes", {}, static_cast<double>(stats.queue_bytes)},
      {"tidemark_remote_write_lag_seconds", {}, stats.lag_seconds},
  };
  WriteSet writes = store_.beginWrite();
  for (const auto& point : points) {
    const uint64_t id = store_.resolveSeries(writes, host_, point.name, point.labels);
    store_.appendSample(writes, id, wall_ms, point.value);
  }
  HostState& state = store_.hostForWrite(writes, host_);
  state.samples += std::size(points);
  if (std::string error = store_.commit(writes); !error.empty()) {
    return "remote write self metrics of host " + host_ + " not written to " + store_.path() +
           ": " + error;
  }
  last_written_ms_ = wall_ms;
  return "";
}

}  // namespace tidemark::controller::remote_write
