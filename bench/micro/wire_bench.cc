// Encoding and decoding one agent batch (300 series, node-like values): with a time
// per sample, as sent to controllers before the uniform form, and with one time for
// all (third argument 1), as the agent sends to a controller that reads it.
#include <benchmark/benchmark.h>

#include "common/wire/agent_link_codec.h"

namespace tidemark::wire {
namespace {

MetricBatchData makeBatch(size_t series, bool announce, bool uniform) {
  MetricBatchData batch;
  batch.host_id = "web-0042.example.net";
  batch.epoch = 0x1234;
  batch.sequence = 77;
  for (uint32_t i = 0; i < series; ++i) {
    if (announce) {
      batch.announcements.push_back(
          {i, "node_cpu_seconds_total", {{"cpu", std::to_string(i % 64)}, {"mode", "idle"}}});
    }
    batch.series_ids.push_back(i);
    if (!uniform) batch.timestamps_ms.push_back(1'795'425'581'000);
    batch.values.push_back(12345.67 + i);
  }
  batch.timestamp_ms = 1'795'425'581'000;
  return batch;
}

void BM_EncodeBatch(benchmark::State& state) {
  const bool uniform = state.range(2) != 0;
  auto batch = makeBatch(static_cast<size_t>(state.range(0)), state.range(1) != 0, uniform);
  size_t bytes = 0;
  for (auto _ : state) {
    auto frame = encodeAgentMessage(batch, {.uniform_timestamps = uniform});
    bytes = frame.size();
    benchmark::DoNotOptimize(frame.data());
  }
  state.counters["frame_bytes"] = static_cast<double>(bytes);
  state.counters["samples_per_s"] = benchmark::Counter(static_cast<double>(state.range(0)),
                                                       benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_EncodeBatch)->Args({300, 0, 0})->Args({300, 0, 1})->Args({300, 1, 0});

void BM_DecodeBatch(benchmark::State& state) {
  const bool uniform = state.range(2) != 0;
  auto frame = encodeAgentMessage(
      makeBatch(static_cast<size_t>(state.range(0)), state.range(1) != 0, uniform),
      {.uniform_timestamps = uniform});
  for (auto _ : state) {
    auto decoded = decodeAgentMessage(frame.data(), frame.size(), DecodeLimits{});
    benchmark::DoNotOptimize(decoded);
  }
  state.counters["samples_per_s"] = benchmark::Counter(static_cast<double>(state.range(0)),
                                                       benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_DecodeBatch)->Args({300, 0, 0})->Args({300, 0, 1})->Args({300, 1, 0});

}  // namespace
}  // namespace tidemark::wire
