// The contract every ReadBatch keeps, run against each implementation.
#include "agent/io/read_batch.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <functional>
#include <vector>

#include "agent/io/plain_read_batch.h"
#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

using BatchFactory = std::function<ReadBatchPtr(const std::string& root)>;

struct Backend {
  const char* name;
  BatchFactory make;
};

std::vector<Backend> backends() {
  return {
      {"plain", [](const std::string& root) { return std::make_unique<PlainReadBatch>(root); }},
  };
}

class ReadBatchTest : public ::testing::TestWithParam<Backend> {
 protected:
  testing::TempDir root;
  ReadBatchPtr batch = GetParam().make(root.str() + "/");
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
  auto host = GetParam().make("/");
  ReadSlot slot;
  host->queueRead("/proc/self/status", slot);
  host->submit();
  ASSERT_EQ(slot.error, 0);
  EXPECT_NE(slot.data.find("VmRSS:"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReadBatchTest, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tidemark::agent
