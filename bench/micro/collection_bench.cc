// Cost of one collection of the whole host: every host collector's prepare, one
// batch submit, every collect into a batch; on a fixture tree (stable) and on this
// machine's real /proc and /sys, through the plain batch and the io_uring batch.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include "agent/batch/batch_builder.h"
#include "agent/collectors/host_collectors.h"
#include "agent/io/plain_file_reader.h"
#include "agent/io/plain_read_batch.h"
#include "agent/io/uring_read_batch.h"
#include "common/time/clock.h"

namespace tidemark::agent {
namespace {

ReadBatchPtr makeBatch(benchmark::State& state, const std::string& root, bool uring) {
  if (!uring) return std::make_unique<PlainReadBatch>(root);
  std::string why;
  auto batch = UringReadBatch::create(root, why);
  if (!batch) state.SkipWithError(("io_uring refused: " + why).c_str());
  return batch;
}

void collectHost(benchmark::State& state, const std::string& root, bool uring) {
  // The default logger writes to stdout, which must stay clean for --benchmark_format=json.
  spdlog::set_level(spdlog::level::err);
  SystemClock clock;
  PlainFileReader reader(root);
  ReadBatchPtr batch = makeBatch(state, root, uring);
  if (!batch) return;
  HostCollectorOptions options;
  PlainReadBatch side_batch(root);
  HostCollectors owner(reader, side_batch, clock, options);
  auto collectors = owner.take();
  SeriesRegistry registry;
  BatchBuilder builder(registry);
  size_t samples = 0;
  for (auto _ : state) {
    builder.begin(clock.wallMs());
    for (auto& collector : collectors) collector->prepare(*batch);
    batch->submit();
    for (auto& collector : collectors) collector->collect(builder);
    samples = builder.rows();
    benchmark::DoNotOptimize(builder.take());
  }
  state.counters["samples"] = static_cast<double>(samples);
  state.counters["samples_per_s"] = benchmark::Counter(
      static_cast<double>(samples), benchmark::Counter::kIsIterationInvariantRate);
}

const std::string kFixture = std::string(TIDEMARK_FIXTURES_DIR) + "/hosts/basic";

void BM_CollectFixtureHost(benchmark::State& state) { collectHost(state, kFixture, false); }
// Process CPU time, so the statfs worker thread (and io_uring's io-wq workers) count too.
BENCHMARK(BM_CollectFixtureHost)->MeasureProcessCPUTime();

void BM_CollectFixtureHostUring(benchmark::State& state) { collectHost(state, kFixture, true); }
BENCHMARK(BM_CollectFixtureHostUring)->MeasureProcessCPUTime();

void BM_CollectRealHost(benchmark::State& state) { collectHost(state, "/", false); }
BENCHMARK(BM_CollectRealHost)->MeasureProcessCPUTime();

void BM_CollectRealHostUring(benchmark::State& state) { collectHost(state, "/", true); }
BENCHMARK(BM_CollectRealHostUring)->MeasureProcessCPUTime();

}  // namespace
}  // namespace tidemark::agent
