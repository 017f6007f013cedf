#include "agent/io/make_read_batch.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <stdexcept>

#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

int refuseWithEperm(unsigned, struct io_uring*, unsigned) { return -EPERM; }
int refuseWithEnosys(unsigned, struct io_uring*, unsigned) { return -ENOSYS; }
int refuseWithEnomem(unsigned, struct io_uring*, unsigned) { return -ENOMEM; }

int init_calls = 0;
int countingRefusal(unsigned, struct io_uring*, unsigned) {
  ++init_calls;
  return -EPERM;
}

struct Refusal {
  UringReadBatch::RingInit init;
  const char* reason;
};

TEST(MakeReadBatchTest, AutoFallsBackToPlainReadsAndSaysWhyOnce) {
  for (const Refusal& refusal : {Refusal{refuseWithEperm, "Operation not permitted (errno 1)"},
                                 Refusal{refuseWithEnosys, "(errno 38): the kernel was built"},
                                 Refusal{refuseWithEnomem, "RLIMIT_MEMLOCK"}}) {
    tidemark::testing::LogCapture capture;
    ReadBatchPtr batch = makeReadBatch("/", IoBackendChoice::kAuto, {}, refusal.init);
    ASSERT_TRUE(batch);
    EXPECT_EQ(batch->backend(), "plain");
    EXPECT_EQ(capture.count("io_uring unavailable"), 1u) << capture.text();
    EXPECT_EQ(capture.count(refusal.reason), 1u) << capture.text();
    EXPECT_EQ(capture.count("plain syscalls"), 1u) << capture.text();
    // The fallback reads like any batch.
    ReadSlot slot;
    batch->queueRead("/proc/self/stat", slot);
    batch->submit();
    EXPECT_EQ(slot.error, 0);
  }
}

TEST(MakeReadBatchTest, AnExplicitIoUringChoiceFailsInsteadOfFallingBack) {
  tidemark::testing::LogCapture capture;
  try {
    makeReadBatch("/", IoBackendChoice::kIoUring, {}, refuseWithEperm);
    FAIL() << "expected a refusal";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("Operation not permitted"), std::string::npos) << e.what();
  }
}

TEST(MakeReadBatchTest, PlainNeverTouchesIoUring) {
  init_calls = 0;
  ReadBatchPtr batch = makeReadBatch("/", IoBackendChoice::kPlain, {}, countingRefusal);
  EXPECT_EQ(batch->backend(), "plain");
  EXPECT_EQ(init_calls, 0);
  makeReadBatch("/", IoBackendChoice::kAuto, {}, countingRefusal);
  EXPECT_EQ(init_calls, 1);
}

TEST(MakeReadBatchTest, AutoUsesIoUringWhereTheKernelAllowsIt) {
  std::string why;
  if (!UringReadBatch::create("/", why)) GTEST_SKIP() << "io_uring is refused here: " << why;
  tidemark::testing::LogCapture capture;
  EXPECT_EQ(makeReadBatch("/", IoBackendChoice::kAuto)->backend(), "io_uring");
  EXPECT_EQ(capture.text(), "");
}

// auto measures where procfs reads are cheaper and says so once; io_uring keeps every
// op in the ring.
TEST(MakeReadBatchTest, AutoMeasuresTheHandOffAndIoUringKeepsEveryOpInTheRing) {
  std::string why;
  if (!UringReadBatch::create("/", why)) GTEST_SKIP() << "io_uring is refused here: " << why;
  constexpr int kPasses = 20;  // past the warm-up and the first 16-pass probe
  for (const auto choice : {IoBackendChoice::kAuto, IoBackendChoice::kIoUring}) {
    tidemark::testing::LogCapture capture;
    ReadBatchPtr batch = makeReadBatch("/", choice);
    auto* ring = dynamic_cast<UringReadBatch*>(batch.get());
    ASSERT_NE(ring, nullptr);
    size_t inline_passes = 0;
    ReadSlot stat;
    for (int pass = 0; pass < kPasses; ++pass) {
      batch->queueRead("/proc/self/stat", stat);
      batch->submit();
      ASSERT_EQ(stat.error, 0);
      if (ring->lastHandOff() == HandOff::kInline) ++inline_passes;
    }
    if (choice == IoBackendChoice::kAuto) {
      EXPECT_TRUE(ring->handOffChooser().decided());
      EXPECT_GE(inline_passes, 8u);  // the probe's half
      EXPECT_NE(capture.text().find("io_uring: procfs/sysfs reads and stats run "),
                std::string::npos)
          << capture.text();
    } else {
      EXPECT_FALSE(ring->handOffChooser().decided());
      EXPECT_EQ(inline_passes, 0u);
      EXPECT_EQ(capture.text(), "");
    }
  }
}

TEST(MakeReadBatchTest, ParsesTheChoice) {
  EXPECT_EQ(parseIoBackendChoice("auto"), IoBackendChoice::kAuto);
  EXPECT_EQ(parseIoBackendChoice("io_uring"), IoBackendChoice::kIoUring);
  EXPECT_EQ(parseIoBackendChoice("plain"), IoBackendChoice::kPlain);
  EXPECT_EQ(parseIoBackendChoice("uring"), std::nullopt);
  EXPECT_EQ(parseIoBackendChoice(""), std::nullopt);
}

}  // namespace
}  // namespace tidemark::agent
