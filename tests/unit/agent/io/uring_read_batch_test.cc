// What the io_uring batch does beyond the ReadBatch contract (read_batch_test.cc):
// which fds it keeps between passes and when it lets them go.
#include "agent/io/uring_read_batch.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "agent/io/plain_read_batch.h"
#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

class UringReadBatchTest : public ::testing::Test {
 protected:
  // Every op through the ring unless a test says otherwise: these tests count its waits.
  static UringReadBatchOptions with(UringReadBatchOptions::HandOffPolicy hand_off,
                                    unsigned ring_entries = 256, size_t max_cached_fds = 512) {
    UringReadBatchOptions options;
    options.ring_entries = ring_entries;
    options.max_cached_fds = max_cached_fds;
    options.hand_off = hand_off;
    return options;
  }
  static UringReadBatchOptions ring() { return with(UringReadBatchOptions::HandOffPolicy::kRing); }
  std::unique_ptr<UringReadBatch> make(const std::string& root,
                                       UringReadBatchOptions options = ring()) {
    std::string why;
    auto batch = UringReadBatch::create(root, why, options);
    if (!batch) refused_ = why;
    return batch;
  }
  std::string refused_;
};

#define MAKE_OR_SKIP(var, ...)  \
  auto var = make(__VA_ARGS__); \
  if (!var) GTEST_SKIP() << "io_uring is refused on this machine: " << refused_

TEST_F(UringReadBatchTest, ProcFdsStayOpenSoLaterPassesSkipTheOpen) {
  MAKE_OR_SKIP(batch, "/");
  ReadSlot loadavg;
  ReadSlot stat;
  batch->queueRead("/proc/loadavg", loadavg);
  batch->queueRead("/proc/self/stat", stat);
  batch->submit();
  ASSERT_EQ(loadavg.error, 0);
  ASSERT_EQ(stat.error, 0);
  EXPECT_EQ(batch->cachedFds(), 2u);
  const size_t first_pass = batch->lastSubmissions();

  batch->queueRead("/proc/loadavg", loadavg);
  batch->queueRead("/proc/self/stat", stat);
  batch->submit();
  ASSERT_EQ(loadavg.error, 0);
  EXPECT_NE(loadavg.data.find('/'), std::string::npos);  // "1/234" runnable/total
  EXPECT_EQ(stat.data.substr(0, std::to_string(getpid()).size()), std::to_string(getpid()));
  EXPECT_EQ(batch->cachedFds(), 2u);
  // No openat round: read, then the zero-byte read that proves the end of a seq file.
  EXPECT_LT(batch->lastSubmissions(), first_pass);
}

TEST_F(UringReadBatchTest, ADeadProcessFileFailsAndItsFdIsDropped) {
  MAKE_OR_SKIP(batch, "/");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pause();
    _exit(0);
  }
  const std::string path = "/proc/" + std::to_string(child) + "/stat";
  ReadSlot slot;
  batch->queueRead(path, slot);
  batch->submit();
  ASSERT_EQ(slot.error, 0);
  EXPECT_EQ(batch->cachedFds(), 1u);

  ASSERT_EQ(kill(child, SIGKILL), 0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  batch->queueRead(path, slot);
  batch->submit();
  EXPECT_TRUE(slot.error == ESRCH || slot.error == ENOENT) << slot.error;
  EXPECT_TRUE(slot.data.empty());
  EXPECT_EQ(batch->cachedFds(), 0u);
  EXPECT_EQ(batch->fixedFiles(), 0u);  // its slot in the ring's file table is free again

  batch->queueRead(path, slot);
  batch->submit();
  EXPECT_EQ(slot.error, ENOENT);
  EXPECT_EQ(batch->cachedFds(), 0u);
}

TEST_F(UringReadBatchTest, FdsNotReadInTheLastPassAreClosed) {
  MAKE_OR_SKIP(batch, "/");
  ReadSlot a;
  ReadSlot b;
  batch->queueRead("/proc/loadavg", a);
  batch->queueRead("/proc/uptime", b);
  batch->submit();
  EXPECT_EQ(batch->cachedFds(), 2u);
  batch->queueRead("/proc/loadavg", a);
  batch->submit();
  EXPECT_EQ(batch->cachedFds(), 1u);
  batch->submit();  // an empty pass changes nothing
  EXPECT_EQ(batch->cachedFds(), 1u);
}

TEST_F(UringReadBatchTest, TheCacheIsBoundedAndReadsPastItStillWork) {
  MAKE_OR_SKIP(batch, "/", with(UringReadBatchOptions::HandOffPolicy::kRing, 64, 1));
  ReadSlot slots[3];
  const char* paths[] = {"/proc/loadavg", "/proc/uptime", "/proc/self/stat"};
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < 3; ++i) batch->queueRead(paths[i], slots[i]);
    batch->submit();
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(slots[i].error, 0) << paths[i];
      EXPECT_FALSE(slots[i].data.empty()) << paths[i];
    }
    EXPECT_EQ(batch->cachedFds(), 1u);
  }
}

TEST_F(UringReadBatchTest, CachedFdsAreReadThroughTheRingsFileTable) {
  MAKE_OR_SKIP(batch, "/", with(UringReadBatchOptions::HandOffPolicy::kRing, 64, 4));
  ReadSlot loadavg;
  ReadSlot uptime;
  ReadSlot stat;
  auto readAll = [&] {
    batch->queueRead("/proc/loadavg", loadavg);
    batch->queueRead("/proc/uptime", uptime);
    batch->queueRead("/proc/self/stat", stat);
    batch->submit();
  };
  readAll();
  if (batch->fixedFiles() == 0) GTEST_SKIP() << "no sparse file table (a kernel before 5.19)";
  EXPECT_EQ(batch->fixedFiles(), 3u);
  for (int pass = 0; pass < 2; ++pass) {
    readAll();  // by slot, not by fd: a slot read as an fd would be another file
    ASSERT_EQ(loadavg.error, 0);
    ASSERT_EQ(stat.error, 0);
    EXPECT_NE(loadavg.data.find('/'), std::string::npos);
    EXPECT_EQ(stat.data.substr(0, std::to_string(getpid()).size()), std::to_string(getpid()));
    EXPECT_EQ(std::count(uptime.data.begin(), uptime.data.end(), ' '), 1) << uptime.data;
  }

  batch->queueRead("/proc/loadavg", loadavg);
  batch->submit();
  EXPECT_EQ(batch->fixedFiles(), 1u);  // the other two slots were freed with their fds

  // Freed slots take new files, whose reads come back right from the next pass on.
  ReadSlot status;
  ReadSlot version;
  ReadSlot statm;
  for (int pass = 0; pass < 2; ++pass) {
    batch->queueRead("/proc/loadavg", loadavg);
    batch->queueRead("/proc/self/status", status);
    batch->queueRead("/proc/version", version);
    batch->queueRead("/proc/self/statm", statm);
    batch->submit();
    EXPECT_EQ(batch->fixedFiles(), 4u);
    EXPECT_EQ(status.data.rfind("Name:", 0), 0u) << status.data.substr(0, 40);
    EXPECT_EQ(version.data.rfind("Linux version", 0), 0u) << version.data.substr(0, 40);
    EXPECT_EQ(std::count(statm.data.begin(), statm.data.end(), ' '), 6) << statm.data;
    EXPECT_NE(loadavg.data.find('/'), std::string::npos);
  }
}

TEST_F(UringReadBatchTest, ProcfsFilesOfAKnownShapeNeedNoSecondRound) {
  MAKE_OR_SKIP(batch, "/");
  ReadSlot meminfo;
  meminfo.one_record = true;
  ReadSlot net_dev;
  net_dev.max_record_bytes = 512;
  std::string expected;
  ASSERT_EQ(readWholeFile("/proc/net/dev", expected), 0);
  if (expected.size() + 512 > static_cast<size_t>(::sysconf(_SC_PAGESIZE))) {
    GTEST_SKIP() << "/proc/net/dev is longer than a page less a record here";
  }
  for (int pass = 0; pass < 2; ++pass) {
    batch->queueRead("/proc/meminfo", meminfo);
    batch->queueRead("/proc/net/dev", net_dev);
    batch->submit();
  }
  EXPECT_EQ(batch->lastWaits(), 1u);  // the read; no zero-byte read after it
  EXPECT_EQ(meminfo.data.rfind("MemTotal:", 0), 0u);
  // Same interfaces, in the same order, as a read to the end (counters move).
  auto names = [](const std::string& text) {
    std::string out;
    for (size_t at = 0; (at = text.find(':', at)) != std::string::npos; ++at) {
      out += text.substr(text.rfind('\n', at) + 1, at - text.rfind('\n', at) - 1) + ";";
    }
    return out;
  };
  EXPECT_EQ(names(net_dev.data), names(expected));

  ReadSlot unknown;  // the same file without a shape: its end is proven by one more read
  for (int pass = 0; pass < 2; ++pass) {
    batch->queueRead("/proc/net/dev", unknown);
    batch->submit();
  }
  EXPECT_EQ(batch->lastWaits(), 2u);
  EXPECT_EQ(names(unknown.data), names(expected));
}

TEST_F(UringReadBatchTest, RegularFilesAreNotKeptOpen) {
  testing::TempDir root;
  root.write("proc/stat", "cpu 1 2 3\n");
  MAKE_OR_SKIP(batch, root.str());
  ReadSlot slot;
  batch->queueRead("/proc/stat", slot);
  batch->submit();
  EXPECT_EQ(slot.data, "cpu 1 2 3\n");
  EXPECT_EQ(batch->cachedFds(), 0u);
}

TEST_F(UringReadBatchTest, MoreOpsThanTheRingHoldsStillWaitOncePerRound) {
  testing::TempDir root;
  constexpr int kFiles = 12;
  for (int i = 0; i < kFiles; ++i) {
    root.write("data/" + std::to_string(i), "file " + std::to_string(i));
  }
  // 8 submission entries, 16 completion entries: the 12 opens are handed over in two
  // submissions and waited for once; the same for the 12 reads.
  MAKE_OR_SKIP(batch, root.str(), with(UringReadBatchOptions::HandOffPolicy::kRing, 8));
  ReadSlot slots[kFiles];
  for (int i = 0; i < kFiles; ++i) batch->queueRead("/data/" + std::to_string(i), slots[i]);
  batch->submit();
  for (int i = 0; i < kFiles; ++i) {
    EXPECT_EQ(slots[i].error, 0) << i;
    EXPECT_EQ(slots[i].data, "file " + std::to_string(i));
  }
  EXPECT_EQ(batch->lastWaits(), 2u);
  EXPECT_EQ(batch->lastSubmissions(), 4u);
}

TEST_F(UringReadBatchTest, InlineHandOffReadsProcfsAndStatsWithoutTheRing) {
  MAKE_OR_SKIP(batch, "/", with(UringReadBatchOptions::HandOffPolicy::kInline));
  ReadSlot loadavg;
  ReadSlot stat;
  StatSlot proc;
  for (int pass = 0; pass < 2; ++pass) {
    batch->queueRead("/proc/loadavg", loadavg);
    batch->queueRead("/proc/self/stat", stat);
    batch->queueStat("/proc/sys", proc);
    batch->submit();
  }
  EXPECT_EQ(batch->lastHandOff(), HandOff::kInline);
  ASSERT_EQ(loadavg.error, 0);
  ASSERT_EQ(stat.error, 0);
  ASSERT_EQ(proc.error, 0);
  EXPECT_NE(loadavg.data.find('/'), std::string::npos);
  EXPECT_EQ(stat.data.substr(0, std::to_string(getpid()).size()), std::to_string(getpid()));
  EXPECT_TRUE(S_ISDIR(proc.stat.stx_mode));
  // The fds opened through the ring in the first pass stay cached; the second pass
  // reads and stats with plain syscalls and never enters the ring.
  EXPECT_EQ(batch->cachedFds(), 2u);
  EXPECT_EQ(batch->lastSubmissions(), 0u);
  EXPECT_EQ(batch->lastWaits(), 0u);
}

TEST_F(UringReadBatchTest, InlineHandOffLeavesRegularFilesToTheRing) {
  testing::TempDir root;
  root.write("data/a", "file a");
  MAKE_OR_SKIP(batch, root.str(), with(UringReadBatchOptions::HandOffPolicy::kInline));
  ReadSlot slot;
  batch->queueRead("/data/a", slot);
  batch->submit();
  EXPECT_EQ(slot.data, "file a");
  EXPECT_GE(batch->lastWaits(), 1u);  // page-cache reads complete in the ring, no worker
}

// Charges each pass what the test says its mode costs: the batch reads the clock at
// the start and the end of submit().
struct FakeCpuClock {
  const UringReadBatch* batch = nullptr;
  int64_t ring_cost_ns = 0;
  int64_t inline_cost_ns = 0;
  int64_t now = 0;
  bool at_start = true;
  int64_t read() {
    if (!at_start) now += batch->lastHandOff() == HandOff::kInline ? inline_cost_ns : ring_cost_ns;
    at_start = !at_start;
    return now;
  }
};

TEST_F(UringReadBatchTest, MeasuredHandOffKeepsTheCheaperModeAndProbesAgain) {
  FakeCpuClock clock;
  clock.ring_cost_ns = 900'000;
  clock.inline_cost_ns = 400'000;
  UringReadBatchOptions options = with(UringReadBatchOptions::HandOffPolicy::kMeasured);
  options.chooser = {.warmup_passes = 1, .probe_passes = 4, .hold_passes = 3};
  options.process_cpu_ns = [&clock] { return clock.read(); };
  MAKE_OR_SKIP(batch, "/", options);
  clock.batch = batch.get();
  ReadSlot stat;
  std::vector<HandOff> modes;
  auto pass = [&] {
    batch->queueRead("/proc/self/stat", stat);
    batch->submit();
    EXPECT_EQ(stat.error, 0);
    EXPECT_EQ(stat.data.substr(0, std::to_string(getpid()).size()), std::to_string(getpid()));
    modes.push_back(batch->lastHandOff());
  };
  for (int i = 0; i < 8; ++i) pass();
  using enum HandOff;
  // Warm-up, a probe alternating the two, then the cheaper one held.
  EXPECT_EQ(modes, (std::vector<HandOff>{kRing, kRing, kInline, kRing, kInline, kInline, kInline,
                                         kInline}));
  EXPECT_TRUE(batch->handOffChooser().decided());
  EXPECT_EQ(batch->handOffChooser().medianNs(HandOff::kInline), 400'000);
  EXPECT_EQ(batch->handOffChooser().medianNs(HandOff::kRing), 900'000);
  EXPECT_EQ(batch->lastWaits(), 0u);

  // The host changes (a cheaper hand-off): the next probe moves the reads back.
  clock.ring_cost_ns = 100'000;
  modes.clear();
  for (int i = 0; i < 5; ++i) pass();
  EXPECT_EQ(modes, (std::vector<HandOff>{kRing, kInline, kRing, kInline, kRing}));
  EXPECT_EQ(batch->handOffChooser().kept(), kRing);
  EXPECT_EQ(batch->handOffChooser().probes(), 2u);
}

TEST(UringReadBatchCreateTest, ARefusedRingSaysWhy) {
  std::string why;
  auto refuse = [](unsigned, struct io_uring*, unsigned) { return -EPERM; };
  EXPECT_EQ(UringReadBatch::create("/", why, {}, refuse), nullptr);
  EXPECT_NE(why.find("Operation not permitted (errno 1)"), std::string::npos) << why;
  EXPECT_NE(why.find("seccomp"), std::string::npos) << why;
}

}  // namespace
}  // namespace tidemark::agent
