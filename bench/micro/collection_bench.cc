// Cost of one collection of the whole host: every host collector's prepare, one
// batch submit, every collect into a batch; on a fixture tree (stable) and on this
// machine's real /proc and /sys, through the plain batch and the io_uring batch. Also
// the per-ship reads alone (/proc/PID/stat of many processes) through each batch.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include "agent/batch/batch_builder.h"
#include "agent/collectors/host_collectors.h"
#include "agent/io/plain_file_reader.h"
#include "agent/io/plain_read_batch.h"
#include "agent/io/uring_read_batch.h"
#include "agent/ships/bpf_task_sampler.h"
#include "common/time/clock.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

namespace tidemark::agent {
namespace {

// The ring puts every op on it unless told to run procfs reads inline (what the
// agent's --io auto picks where that measures cheaper).
ReadBatchPtr makeBatch(benchmark::State& state, const std::string& root, bool uring,
                       UringReadBatchOptions::HandOffPolicy hand_off =
                           UringReadBatchOptions::HandOffPolicy::kRing) {
  if (!uring) return std::make_unique<PlainReadBatch>(root);
  std::string why;
  UringReadBatchOptions options;
  options.hand_off = hand_off;
  auto batch = UringReadBatch::create(root, why, options);
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

// The per-ship part of a pass: /proc/PID/stat of 200 processes (100 ships' kings and
// serfs), through the plain batch (one pread each on the calling thread) and the
// io_uring batch (io-wq workers read them; the caller waits).
class ProcStatReads {
 public:
  explicit ProcStatReads(int processes) {
    for (int i = 0; i < processes; ++i) {
      const pid_t child = ::fork();
      if (child == 0) {
        ::pause();
        ::_exit(0);
      }
      if (child > 0) children_.push_back(child);
    }
  }
  ~ProcStatReads() {
    for (pid_t child : children_) ::kill(child, SIGKILL);
    for (pid_t child : children_) ::waitpid(child, nullptr, 0);
  }
  const std::vector<pid_t>& children() const { return children_; }

 private:
  std::vector<pid_t> children_;
};

void readProcStats(benchmark::State& state, bool uring,
                   UringReadBatchOptions::HandOffPolicy hand_off =
                       UringReadBatchOptions::HandOffPolicy::kRing) {
  ProcStatReads processes(static_cast<int>(state.range(0)));
  ReadBatchPtr batch = makeBatch(state, "/", uring, hand_off);
  if (!batch) return;
  std::vector<std::string> paths;
  for (pid_t child : processes.children()) {
    paths.push_back("/proc/" + std::to_string(child) + "/stat");
  }
  std::vector<ReadSlot> slots(paths.size());
  // As the ship collector's: /proc/PID/stat is one record, so a short read ends it.
  for (ReadSlot& slot : slots) slot.one_record = true;
  for (auto _ : state) {
    for (size_t i = 0; i < paths.size(); ++i) batch->queueRead(paths[i], slots[i]);
    batch->submit();
    benchmark::DoNotOptimize(slots.front().data.data());
  }
}

void BM_ProcStatReadsPlain(benchmark::State& state) { readProcStats(state, false); }
BENCHMARK(BM_ProcStatReadsPlain)->Arg(200)->MeasureProcessCPUTime()->Unit(benchmark::kMicrosecond);

void BM_ProcStatReadsUring(benchmark::State& state) { readProcStats(state, true); }
BENCHMARK(BM_ProcStatReadsUring)->Arg(200)->MeasureProcessCPUTime()->Unit(benchmark::kMicrosecond);

// The ring's batch with the reads run inline: what --io auto switches to where the
// hand-off measures dearer. Should match Plain: the same preads, through the ring's fd cache.
void BM_ProcStatReadsUringInline(benchmark::State& state) {
  readProcStats(state, true, UringReadBatchOptions::HandOffPolicy::kInline);
}
BENCHMARK(BM_ProcStatReadsUringInline)
    ->Arg(200)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMicrosecond);

// The same 200 processes' CPU, RSS and start time from one read of the BPF task
// iterator (what --process-stats auto switches to where it measures cheaper). Its cost
// also grows with every other task on the host, which the iterator walks too.
void BM_ProcStatReadsTaskIterator(benchmark::State& state) {
  ProcStatReads processes(static_cast<int>(state.range(0)));
  std::string why;
  auto sampler = BpfTaskSampler::open(why);
  if (!sampler) {
    state.SkipWithError(("the kernel refuses the task iterator: " + why).c_str());
    return;
  }
  std::vector<int32_t> pids(processes.children().begin(), processes.children().end());
  if (sampler->track(pids) != 0) {
    state.SkipWithError("cannot track the processes");
    return;
  }
  for (auto _ : state) {
    if (sampler->sample() != 0) {
      state.SkipWithError("the task iterator failed");
      return;
    }
    benchmark::DoNotOptimize(sampler->find(pids.front()));
  }
}
BENCHMARK(BM_ProcStatReadsTaskIterator)
    ->Arg(200)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tidemark::agent
