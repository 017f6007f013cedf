// Controller ingest (decoded batch -> WriteSet -> one RocksDB commit) and range
// queries, on a real RocksDB in a temp dir.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>

#include "controller/ingest/batch_ingester.h"

namespace tidemark::controller {
namespace {

struct TempStore {
  std::string path;
  std::unique_ptr<SampleStore> store;
  explicit TempStore(bool sync) {
    char pattern[] = "/tmp/tidemark-bench-XXXXXX";
    path = mkdtemp(pattern);
    StoreOptions options;
    options.path = path + "/db";
    options.sync_writes = sync;
    store = SampleStore::open(options);
  }
  ~TempStore() {
    store.reset();
    std::filesystem::remove_all(path);
  }
};

wire::MetricBatchData hostBatch(int host, uint64_t sequence, int64_t timestamp, size_t series) {
  wire::MetricBatchData batch;
  batch.host_id = "host-" + std::to_string(host);
  batch.epoch = 1;
  batch.sequence = sequence;
  for (uint32_t i = 0; i < series; ++i) {
    if (sequence == 1) {
      batch.announcements.push_back(
          {i, "node_cpu_seconds_total", {{"cpu", std::to_string(i / 8)}, {"mode", std::to_string(i % 8)}}});
    }
    batch.series_ids.push_back(i);
    batch.timestamps_ms.push_back(timestamp);
    batch.values.push_back(1000.0 + static_cast<double>(sequence) * 0.25 + i);
  }
  return batch;
}

// One group commit of `hosts` batches of 300 samples each, as the ingest loop does.
void BM_IngestGroupCommit(benchmark::State& state) {
  const int hosts = static_cast<int>(state.range(0));
  TempStore temp(state.range(1) != 0);
  BatchIngester ingester(*temp.store, IngestLimits{});
  uint64_t sequence = 1;
  int64_t timestamp = 1'700'000'000'000;
  for (auto _ : state) {
    WriteSet writes = temp.store->beginWrite();
    for (int h = 0; h < hosts; ++h) {
      auto ack = ingester.ingest(writes, hostBatch(h, sequence, timestamp, 300), timestamp);
      benchmark::DoNotOptimize(ack);
    }
    if (!temp.store->commit(writes).empty()) state.SkipWithError("commit failed");
    ++sequence;
    timestamp += 10'000;
  }
  state.counters["samples_per_s"] = benchmark::Counter(static_cast<double>(hosts * 300),
                                                       benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_IngestGroupCommit)->Args({1, 0})->Args({50, 0})->Args({50, 1})->Unit(benchmark::kMillisecond);

// A 1-day range of one series at 10 s (8640 samples).
void BM_QueryOneSeriesDay(benchmark::State& state) {
  TempStore temp(false);
  BatchIngester ingester(*temp.store, IngestLimits{});
  int64_t timestamp = 1'700'000'000'000;
  for (uint64_t sequence = 1; sequence <= 8640; ++sequence) {
    WriteSet writes = temp.store->beginWrite();
    ingester.ingest(writes, hostBatch(0, sequence, timestamp, 16), timestamp);
    (void)temp.store->commit(writes);
    timestamp += 10'000;
  }
  SeriesQuery query;
  query.metric = "node_cpu_seconds_total";
  query.host = "host-0";
  query.matchers.push_back({"cpu", "0", LabelMatcher::Op::kEqual});
  query.matchers.push_back({"mode", "3", LabelMatcher::Op::kEqual});
  size_t samples = 0;
  for (auto _ : state) {
    auto result = temp.store->query(query);
    samples = result.empty() ? 0 : result[0].values.size();
    benchmark::DoNotOptimize(result);
  }
  state.counters["samples"] = static_cast<double>(samples);
  state.counters["samples_per_s"] = benchmark::Counter(static_cast<double>(samples),
                                                       benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_QueryOneSeriesDay)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tidemark::controller
