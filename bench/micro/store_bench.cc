// Controller ingest (decoded batch -> WriteSet -> one RocksDB commit) and range
// queries, on a real RocksDB in a temp dir.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <span>

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
    options.raw_retention_ms = 0;  // the data is from 2023
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

// A 30-day range of one series at 10 s (259,200 samples): target under 5 ms.
void BM_QueryOneSeries30Days(benchmark::State& state) {
  TempStore temp(false);
  uint64_t id = 0;
  {
    WriteSet writes = temp.store->beginWrite();
    id = temp.store->resolveSeries(writes, "host-0", "node_memory_MemAvailable_bytes", {});
    (void)temp.store->commit(writes);
  }
  const size_t total = 30 * 8640;
  std::vector<int64_t> ts;
  std::vector<double> values;
  for (size_t i = 0; i < total; ++i) {
    ts.push_back(1'700'000'000'000 + static_cast<int64_t>(i) * 10'000 + static_cast<int64_t>(i % 7));
    values.push_back(8'000'000'000.0 + static_cast<double>((i * 7919) % 100'000) * 4096);
  }
  for (size_t begin = 0; begin < total; begin += 8640) {
    WriteSet writes = temp.store->beginWrite();
    temp.store->appendSamples(writes, id, std::span(ts).subspan(begin, 8640),
                              std::span(values).subspan(begin, 8640));
    (void)temp.store->commit(writes);
  }
  (void)temp.store->compact();
  SeriesQuery query;
  query.metric = "node_memory_MemAvailable_bytes";
  query.since_ms = INT64_MIN;
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
BENCHMARK(BM_QueryOneSeries30Days)->Unit(benchmark::kMillisecond);

// The newest value of 100,000 series (heads in memory), sorted by host and labels as
// `tidemark query --last` shows them: target under 50 ms. Also reports the heads'
// memory per series after 60 samples each. Arg 1: through query(last_only), which
// also decodes every series' labels into strings.
void BM_LastValue100kSeries(benchmark::State& state) {
  TempStore temp(false);
  std::vector<uint64_t> ids;
  {
    WriteSet writes = temp.store->beginWrite();
    for (int i = 0; i < 100'000; ++i) {
      ids.push_back(temp.store->resolveSeries(writes, "host-" + std::to_string(i / 300), "node_metric",
                                              {{"i", std::to_string(i)}}));
    }
    (void)temp.store->commit(writes);
  }
  for (int sample = 0; sample < 60; ++sample) {
    WriteSet writes = temp.store->beginWrite();
    for (size_t i = 0; i < ids.size(); ++i) {
      temp.store->appendSample(writes, ids[i], 1'700'000'000'000 + sample * 10'000,
                               static_cast<double>((i * 31 + static_cast<size_t>(sample) * 7) % 1000) / 100);
    }
    (void)temp.store->commit(writes);
  }
  SeriesQuery query;
  query.metric = "node_metric";
  query.since_ms = INT64_MIN;
  query.last_only = true;
  size_t series = 0;
  for (auto _ : state) {
    if (state.range(0) == 0) {
      auto result = temp.store->lastValues(query);
      series = result.size();
      benchmark::DoNotOptimize(result);
    } else {
      auto result = temp.store->query(query);
      series = result.size();
      benchmark::DoNotOptimize(result);
    }
  }
  state.counters["series"] = static_cast<double>(series);
  state.counters["head_bytes_per_series"] =
      static_cast<double>(temp.store->headBytes()) / static_cast<double>(ids.size());
}
BENCHMARK(BM_LastValue100kSeries)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
}  // namespace tidemark::controller
