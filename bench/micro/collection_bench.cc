// Cost of one collection of the whole host: every host collector into a batch,
// on a fixture tree (stable) and on this machine's real /proc and /sys.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include "agent/batch/batch_builder.h"
#include "agent/collectors/host_collectors.h"
#include "agent/io/plain_file_reader.h"
#include "agent/io/plain_read_batch.h"
#include "common/time/clock.h"

namespace tidemark::agent {
namespace {

void collectHost(benchmark::State& state, const std::string& root) {
  // The default logger writes to stdout, which must stay clean for --benchmark_format=json.
  spdlog::set_level(spdlog::level::err);
  SystemClock clock;
  PlainFileReader reader(root);
  HostCollectorOptions options;
  PlainReadBatch side_batch(root);
  HostCollectors owner(reader, side_batch, clock, options);
  auto collectors = owner.take();
  SeriesRegistry registry;
  BatchBuilder builder(registry);
  size_t samples = 0;
  for (auto _ : state) {
    builder.begin(clock.wallMs());
    for (auto& collector : collectors) collector->collect(builder);
    samples = builder.rows();
    benchmark::DoNotOptimize(builder.take());
  }
  state.counters["samples"] = static_cast<double>(samples);
  state.counters["samples_per_s"] =
      benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_CollectFixtureHost(benchmark::State& state) {
  collectHost(state, std::string(TIDEMARK_FIXTURES_DIR) + "/hosts/basic");
}
// Process CPU time, so the statfs worker thread is counted too.
BENCHMARK(BM_CollectFixtureHost)->MeasureProcessCPUTime();

void BM_CollectRealHost(benchmark::State& state) { collectHost(state, "/"); }
BENCHMARK(BM_CollectRealHost)->MeasureProcessCPUTime();

}  // namespace
}  // namespace tidemark::agent
