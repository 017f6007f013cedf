// Cost of the durable outbox per collection: push a 300-sample batch (append its
// record, replace the state file) and, with the controller up, acknowledge it
// (replace the state file); with the controller away, every push fdatasyncs the
// batch before it. Compare with one collection of the host (BM_CollectRealHost,
// ~280 us CPU). Wall time, since fdatasync waits for the disk rather than using the CPU.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "agent/outbox/outbox.h"
#include "agent/outbox/outbox_record.h"

namespace tidemark::agent {
namespace {

wire::MetricBatchData makeBatch(size_t samples) {
  wire::MetricBatchData batch;
  batch.host_id = "web-01";
  batch.epoch = 0x1234;
  batch.timestamp_ms = 1'700'000'000'000;  // one collection, as the agent's batches are
  for (size_t i = 0; i < samples; ++i) {
    batch.series_ids.push_back(static_cast<uint32_t>(i));
    batch.values.push_back(static_cast<double>(i) * 1.5);
  }
  return batch;
}

// A folder on the disk the agent's state dir would be on ($TMPDIR, else /var/tmp:
// /tmp is a tmpfs on some systems, where fdatasync costs nothing).
std::string makeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base ? base : "/var/tmp") + "/tidemark-bench-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
  return pattern;
}

// Arguments: samples a batch, acknowledged at once (1) or never (0: the controller is away).
void BM_OutboxPushAck(benchmark::State& state) {
  spdlog::set_level(spdlog::level::err);
  const std::string dir = makeTempDir();
  const bool acked = state.range(1) != 0;
  {
    Outbox outbox(std::make_unique<FileOutboxStorage>(dir + "/outbox", dir + "/counters"),
                  OutboxOptions{});
    const wire::MetricBatchData batch = makeBatch(static_cast<size_t>(state.range(0)));
    uint64_t sequence = 0;
    for (auto _ : state) {
      wire::MetricBatchData copy = batch;
      copy.sequence = ++sequence;
      outbox.push(std::move(copy));
      if (acked) outbox.acknowledgeThrough(sequence, [](const auto&) {});
    }
    state.counters["record_bytes"] = static_cast<double>(recordBytes(batch));
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_OutboxPushAck)->Args({300, 1})->Args({300, 0})->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tidemark::agent
