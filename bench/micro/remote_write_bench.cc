// Remote write: encoding one request of node-like series into a WriteRequest and
// snappy-compressing it, the CPU work each shard's sender does per request.
#include <benchmark/benchmark.h>
#include <snappy.h>

#include <string>
#include <vector>

#include "controller/remote_write/export_record.h"
#include "controller/remote_write/shard_sender.h"

namespace tidemark::controller::remote_write {
namespace {

// A queue record as the exporter writes it: `series` series of `per_series` samples
// (node_cpu_seconds_total{cpu,mode}, host label, 10 s grid, counter-like values).
std::string makePayload(size_t series, size_t per_series) {
  std::string payload;
  std::vector<LabelView> labels;
  std::vector<std::string> cpus;
  for (size_t i = 0; i < series; ++i) cpus.push_back(std::to_string(i % 64));
  const char* modes[] = {"idle", "user", "system", "iowait"};
  std::vector<int64_t> ts(per_series);
  std::vector<double> values(per_series);
  for (size_t i = 0; i < series; ++i) {
    const Labels stored = {{"cpu", cpus[i]}, {"mode", modes[i % 4]}};
    exportLabels("web-0042.example.net", "node_cpu_seconds_total", stored, labels);
    for (size_t k = 0; k < per_series; ++k) {
      ts[k] = 1'795'425'581'000 + static_cast<int64_t>(k) * 10'000;
      values[k] = 123456.78 + static_cast<double>(i * 10 + k) * 0.01;
    }
    appendExportSeries(payload, labels, ts, values);
  }
  return payload;
}

void BM_EncodeAndCompress(benchmark::State& state) {
  const size_t series = static_cast<size_t>(state.range(0));
  const size_t per_series = static_cast<size_t>(state.range(1));
  const std::string payload = makePayload(series, per_series);
  RequestBuilder builder;
  size_t raw = 0, compressed = 0;
  for (auto _ : state) {
    builder.clear();
    builder.add(payload);
    raw = builder.uncompressedBytes();
    compressed = builder.compress().size();
    benchmark::DoNotOptimize(compressed);
  }
  state.counters["samples_per_s"] = benchmark::Counter(
      static_cast<double>(series * per_series), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["request_bytes"] = static_cast<double>(compressed);
  state.counters["bytes_per_sample"] =
      static_cast<double>(compressed) / static_cast<double>(series * per_series);
  state.counters["raw_bytes"] = static_cast<double>(raw);
}
// 2000 samples (the default batch): one sample per series (agent traffic) and 20 per
// series (an import or a backlog after an outage).
BENCHMARK(BM_EncodeAndCompress)->Args({2000, 1})->Args({100, 20});

}  // namespace
}  // namespace tidemark::controller::remote_write
