#include "agent/ships/bpf_task_sampler.h"

#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent/ships/process_stat.h"
#include "tests/support/standin_ship.h"
#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::makeStandinPier;
using tidemark::testing::StandinShip;
using tidemark::testing::TempDir;

ProcessStat procStat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::stringstream text;
  text << in.rdbuf();
  ProcessStat stat;
  EXPECT_TRUE(parseProcessStat(text.str(), stat)) << "pid " << pid;
  return stat;
}

int64_t processCpuNs() {
  timespec now{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

void burnCpu(int64_t ns) {
  timespec start{}, now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
  do {
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  } while ((now.tv_sec - start.tv_sec) * 1'000'000'000 + (now.tv_nsec - start.tv_nsec) < ns);
}

// The iterator needs CAP_BPF and CAP_PERFMON (root in CI); elsewhere these tests say
// why they cannot run. That it falls back is tested in ship_collector_test.cc.
class BpfTaskSamplerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sampler = BpfTaskSampler::open(why);
    if (!sampler) GTEST_SKIP() << "the kernel refuses the task iterator here: " << why;
  }

  std::string why;
  std::unique_ptr<BpfTaskSampler> sampler;
};

TEST_F(BpfTaskSamplerTest, AShipsProcessesAsProcSeesThem) {
  TempDir dir;
  const std::string pier = dir.str() + "/zod";
  makeStandinPier(pier, {});
  StandinShip ship(dir.str() + "/bin", pier, {"--rss-mb", "8"});
  const int32_t pids[] = {ship.kingPid(), ship.serfPid()};
  ASSERT_EQ(sampler->track(pids), 0);
  // The serf touches its memory as it starts: wait until its RSS holds still.
  uint64_t rss = 0;
  for (int i = 0; i < 100; ++i) {
    const uint64_t now = procStat(ship.serfPid()).rss_pages;
    if (now == rss && now > 0) break;
    rss = now;
    ::usleep(50'000);
  }
  ASSERT_EQ(sampler->sample(), 0);
  for (const int32_t pid : pids) {
    const ProcessStat proc = procStat(pid);
    const ProcessUsage* usage = sampler->find(pid);
    ASSERT_NE(usage, nullptr) << "pid " << pid;
    EXPECT_EQ(usage->start_ticks, proc.start_ticks) << "pid " << pid;
    EXPECT_EQ(usage->rss_pages, proc.rss_pages) << "pid " << pid;
    // /proc's utime and stime are the same CPU time, each truncated to clock ticks.
    const double proc_ms = (proc.utime_ticks + proc.stime_ticks) * 1000.0 / ::sysconf(_SC_CLK_TCK);
    EXPECT_NEAR(usage->cpu_ns / 1e6, proc_ms, 30) << "pid " << pid;
    EXPECT_GT(usage->cpu_ns, 0u);
  }
  EXPECT_GE(sampler->find(ship.serfPid())->rss_pages * ::sysconf(_SC_PAGESIZE), 8u << 20);
}

TEST_F(BpfTaskSamplerTest, CountsEveryThreadLiveOrExited) {
  const auto self = static_cast<int32_t>(::getpid());
  ASSERT_EQ(sampler->track({&self, 1}), 0);
  // A thread that exited: its time lives on in the process's signal struct.
  std::thread([] { burnCpu(60'000'000); }).join();
  // A thread still running.
  std::atomic<bool> done = false;
  std::thread spinner([&] {
    burnCpu(40'000'000);
    while (!done) ::usleep(1'000);
  });
  ::usleep(80'000);
  const int64_t before = processCpuNs();
  ASSERT_EQ(sampler->sample(), 0);
  const int64_t after = processCpuNs();
  done = true;
  spinner.join();
  const ProcessUsage* usage = sampler->find(self);
  ASSERT_NE(usage, nullptr);
  // CLOCK_PROCESS_CPUTIME_ID counts the same: every live thread and those gone.
  EXPECT_GE(static_cast<int64_t>(usage->cpu_ns), before - 10'000'000);
  EXPECT_LE(static_cast<int64_t>(usage->cpu_ns), after);
  EXPECT_GE(usage->cpu_ns, 100'000'000u);
}

TEST_F(BpfTaskSamplerTest, SeesOnlyTrackedProcessesStillRunning) {
  TempDir dir;
  const std::string pier = dir.str() + "/nec";
  makeStandinPier(pier, {});
  auto ship = std::make_unique<StandinShip>(dir.str() + "/bin", pier);
  const int32_t king = ship->kingPid();
  const int32_t serf = ship->serfPid();
  const auto self = static_cast<int32_t>(::getpid());

  const int32_t both[] = {king, serf};
  ASSERT_EQ(sampler->track(both), 0);
  ASSERT_EQ(sampler->sample(), 0);
  EXPECT_NE(sampler->find(king), nullptr);
  EXPECT_NE(sampler->find(serf), nullptr);
  EXPECT_EQ(sampler->find(self), nullptr);  // running, but not tracked

  // The set changes: the king leaves it, this process joins.
  const int32_t next[] = {self, serf};
  ASSERT_EQ(sampler->track(next), 0);
  ASSERT_EQ(sampler->sample(), 0);
  EXPECT_EQ(sampler->find(king), nullptr);
  EXPECT_NE(sampler->find(serf), nullptr);
  EXPECT_NE(sampler->find(self), nullptr);

  // Gone: the ship stops, its processes exit.
  ASSERT_EQ(ship->stop(), 0);
  ship.reset();
  for (int i = 0; i < 100 && std::filesystem::exists("/proc/" + std::to_string(serf)); ++i)
    ::usleep(20'000);
  ASSERT_EQ(sampler->sample(), 0);
  EXPECT_EQ(sampler->find(serf), nullptr);
  EXPECT_NE(sampler->find(self), nullptr);
}

}  // namespace
}  // namespace tidemark::agent
