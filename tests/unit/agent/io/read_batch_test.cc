// The contract every ReadBatch keeps, run against each implementation.
#include "agent/io/read_batch.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "agent/io/plain_read_batch.h"
#include "agent/io/uring_read_batch.h"
#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

// A batch under `root`, or null with `why` set when the backend is refused here.
using BatchFactory = std::function<ReadBatchPtr(const std::string& root, std::string& why)>;

struct Backend {
  const char* name;
  BatchFactory make;
};

UringReadBatchOptions ringOf8(UringReadBatchOptions::HandOffPolicy hand_off) {
  UringReadBatchOptions options;
  options.ring_entries = 8;
  options.hand_off = hand_off;
  return options;
}

std::vector<Backend> backends() {
  return {
      {"plain", [](const std::string& root,
                   std::string&) { return std::make_unique<PlainReadBatch>(root); }},
      // A ring of 8 entries, so the tests also cover passes split over several submissions.
      {"io_uring",
       [](const std::string& root, std::string& why) -> ReadBatchPtr {
         return UringReadBatch::create(root, why,
                                       ringOf8(UringReadBatchOptions::HandOffPolicy::kRing));
       }},
      // The same ring with procfs/sysfs reads and stats done inline, as the agent does
      // where that measures cheaper.
      {"io_uring_inline",
       [](const std::string& root, std::string& why) -> ReadBatchPtr {
         return UringReadBatch::create(root, why,
                                       ringOf8(UringReadBatchOptions::HandOffPolicy::kInline));
       }},
  };
}

class ReadBatchTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    std::string why;
    batch = GetParam().make(root.str() + "/", why);
    if (!batch) GTEST_SKIP() << GetParam().name << " is refused on this machine: " << why;
  }

  testing::TempDir root;
  ReadBatchPtr batch;
};

TEST_P(ReadBatchTest, ReadsAndStatsUnderRootInOneSubmission) {
  root.write("proc/loadavg", "0.10 0.20 0.30 1/100 42\n");
  root.write("pier/.urb/chk/image.bin", std::string(10'000, 'i'));
  ReadSlot loadavg;
  ReadSlot missing;
  StatSlot image;
  StatSlot gone;
  missing.data = "stale";
  batch->queueRead("/proc/loadavg", loadavg);
  batch->queueRead("/proc/missing", missing);
  batch->queueStat("/pier/.urb/chk/image.bin", image);
  batch->queueStat("/pier/nothing", gone);
  batch->submit();
  EXPECT_EQ(loadavg.error, 0);
  EXPECT_EQ(loadavg.data, "0.10 0.20 0.30 1/100 42\n");
  EXPECT_EQ(missing.error, ENOENT);
  EXPECT_TRUE(missing.data.empty());
  EXPECT_EQ(image.error, 0);
  EXPECT_EQ(image.stat.stx_size, 10'000u);
  EXPECT_GT(image.stat.stx_blocks, 0u);
  EXPECT_EQ(gone.error, ENOENT);
}

TEST_P(ReadBatchTest, StatsRelativeToAnOpenFolderAndOfTheFolderItself) {
  root.write("pier/.urb/log/0i0/data.mdb", std::string(5'000, 'l'));
  const int pier_fd = ::open((root.str() + "/pier").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(pier_fd, 0);
  StatSlot data, folder, gone;
  batch->queueStatAt(pier_fd, ".urb/log/0i0/data.mdb", data);
  batch->queueStatAt(pier_fd, "", folder);
  batch->queueStatAt(pier_fd, ".urb/nothing", gone);
  batch->submit();
  ::close(pier_fd);
  EXPECT_EQ(data.error, 0);
  EXPECT_EQ(data.stat.stx_size, 5'000u);
  EXPECT_EQ(folder.error, 0);
  EXPECT_TRUE(S_ISDIR(folder.stat.stx_mode));
  EXPECT_EQ(gone.error, ENOENT);
}

TEST_P(ReadBatchTest, StatOfAHeldFileFollowsItAndSeesItUnlinked) {
  root.write("pier/.urb/chk/image.bin", std::string(1'000, 's'));
  const std::string path = root.str() + "/pier/.urb/chk/image.bin";
  const int fd = ::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  root.write("pier/.urb/chk/image.bin.new", std::string(3'000, 'n'));
  StatSlot held;
  batch->queueStatAt(fd, "", held);
  batch->submit();
  EXPECT_EQ(held.error, 0);
  EXPECT_EQ(held.stat.stx_size, 1'000u);
  EXPECT_EQ(held.stat.stx_nlink, 1u);
  // Renamed over: the fd still answers for the old file, now linked nowhere.
  std::filesystem::rename(path + ".new", path);
  batch->queueStatAt(fd, "", held);
  batch->submit();
  ::close(fd);
  EXPECT_EQ(held.error, 0);
  EXPECT_EQ(held.stat.stx_size, 1'000u);
  EXPECT_EQ(held.stat.stx_nlink, 0u);
}

TEST_P(ReadBatchTest, ReadsFilesLargerThanAnyFirstGuess) {
  std::string big(300'000, 'x');
  for (size_t i = 0; i < big.size(); i += 97) big[i] = static_cast<char>('a' + i % 26);
  root.write("big", big);
  ReadSlot slot;
  batch->queueRead("/big", slot);
  batch->submit();
  ASSERT_EQ(slot.error, 0);
  EXPECT_EQ(slot.data, big);
}

TEST_P(ReadBatchTest, ASecondPassSeesNewContentsAndTheQueueStartsEmpty) {
  root.write("proc/stat", "cpu 1 2 3\n");
  ReadSlot slot;
  batch->queueRead("/proc/stat", slot);
  batch->submit();
  EXPECT_EQ(slot.data, "cpu 1 2 3\n");
  root.write("proc/stat", "cpu 10 20 30 40\n");
  batch->queueRead("/proc/stat", slot);
  batch->submit();
  EXPECT_EQ(slot.data, "cpu 10 20 30 40\n");
  slot.data = "untouched";
  batch->submit();  // nothing queued: nothing written
  EXPECT_EQ(slot.data, "untouched");
}

TEST_P(ReadBatchTest, ReadsRealProcFilesThatReportSizeZero) {
  std::string why;
  auto host = GetParam().make("/", why);
  ASSERT_TRUE(host) << why;
  ReadSlot slot;
  host->queueRead("/proc/self/status", slot);
  host->submit();
  ASSERT_EQ(slot.error, 0);
  EXPECT_NE(slot.data.find("VmRSS:"), std::string::npos);
}

TEST_P(ReadBatchTest, MorePathsThanTheRingHoldsAllComeBack) {
  constexpr int kFiles = 30;
  std::vector<ReadSlot> reads(kFiles);
  std::vector<StatSlot> stats(kFiles);
  for (int i = 0; i < kFiles; ++i)
    root.write("f/" + std::to_string(i), std::string(i + 1, 'a' + i % 26));
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < kFiles; ++i) {
      batch->queueRead("/f/" + std::to_string(i), reads[i]);
      batch->queueStat("/f/" + std::to_string(i), stats[i]);
    }
    batch->submit();
    for (int i = 0; i < kFiles; ++i) {
      ASSERT_EQ(reads[i].error, 0) << i;
      EXPECT_EQ(reads[i].data, std::string(i + 1, 'a' + i % 26));
      ASSERT_EQ(stats[i].error, 0) << i;
      EXPECT_EQ(stats[i].stat.stx_size, static_cast<uint64_t>(i + 1));
    }
  }
}

TEST_P(ReadBatchTest, AFileReplacedByRenameIsReadAnew) {
  root.write("etc/state", "old\n");
  ReadSlot slot;
  batch->queueRead("/etc/state", slot);
  batch->submit();
  EXPECT_EQ(slot.data, "old\n");
  root.write("etc/state.new", "new contents\n");
  ASSERT_EQ(
      std::rename((root.str() + "/etc/state.new").c_str(), (root.str() + "/etc/state").c_str()), 0);
  batch->queueRead("/etc/state", slot);
  batch->submit();
  EXPECT_EQ(slot.data, "new contents\n");
}

TEST_P(ReadBatchTest, ReadsMultiPageSeqFilesWhole) {
  // procfs seq files hand out about a page per read; the batch must read on to the end.
  // kallsyms is megabytes everywhere and does not change while the test runs.
  std::string expected;
  for (const char* path : {"/proc/self/mountinfo", "/proc/kallsyms"}) {
    if (readWholeFile(path, expected) != 0 || expected.size() < 3 * 4096) continue;
    std::string why;
    auto host = GetParam().make("/", why);
    ASSERT_TRUE(host) << why;
    ReadSlot slot;
    host->queueRead(path, slot);
    host->submit();
    ASSERT_EQ(slot.error, 0) << path;
    EXPECT_EQ(slot.data.size(), expected.size()) << path;
    EXPECT_TRUE(slot.data == expected) << path;
    return;
  }
  GTEST_SKIP() << "no procfs seq file of several pages is readable here";
}

TEST_P(ReadBatchTest, ReadsMultiPageSeqFilesWholeWithARecordBound) {
  // A short read ends the file without a zero-byte read only when it left room for one
  // more record: the pages before the last still read on. kallsyms lines are "address
  // type name [module]", names at most 512 bytes.
  std::string expected;
  if (readWholeFile("/proc/kallsyms", expected) != 0 || expected.size() < 3 * 4096) {
    GTEST_SKIP() << "/proc/kallsyms is not several pages here";
  }
  std::string why;
  auto host = GetParam().make("/", why);
  ASSERT_TRUE(host) << why;
  ReadSlot slot;
  slot.max_record_bytes = 1024;
  for (int pass = 0; pass < 2; ++pass) {  // opened, then by the kept fd
    host->queueRead("/proc/kallsyms", slot);
    host->submit();
    ASSERT_EQ(slot.error, 0);
    EXPECT_EQ(slot.data.size(), expected.size()) << "pass " << pass;
    EXPECT_TRUE(slot.data == expected) << "pass " << pass;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ReadBatchTest, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tidemark::agent
