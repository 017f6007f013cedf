// What the plain batch adds to the ReadBatch contract (read_batch_test.cc): procfs
// fds kept between passes, dropped when their process dies or they go unread.
#include "agent/io/plain_read_batch.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

TEST(PlainReadBatchTest, ProcFdsStayOpenAndReadFreshContents) {
  PlainReadBatch batch("/");
  ReadSlot stat;
  for (int pass = 0; pass < 2; ++pass) {
    batch.queueRead("/proc/self/stat", stat);
    batch.submit();
    ASSERT_EQ(stat.error, 0);
    EXPECT_EQ(stat.data.substr(0, std::to_string(getpid()).size()), std::to_string(getpid()));
    EXPECT_EQ(stat.data.back(), '\n');
    EXPECT_EQ(batch.cachedFds(), 1u);
  }
}

TEST(PlainReadBatchTest, RegularFilesAreNotKeptOpen) {
  testing::TempDir root;
  root.write("pier/.http.ports", "8080 insecure public\n");
  PlainReadBatch batch(root.str());
  ReadSlot ports;
  batch.queueRead("/pier/.http.ports", ports);
  batch.submit();
  EXPECT_EQ(ports.data, "8080 insecure public\n");
  EXPECT_EQ(batch.cachedFds(), 0u);
}

TEST(PlainReadBatchTest, ADeadProcessFileFailsAndItsFdIsDropped) {
  PlainReadBatch batch("/");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pause();
    _exit(0);
  }
  const std::string path = "/proc/" + std::to_string(child) + "/stat";
  ReadSlot slot;
  batch.queueRead(path, slot);
  batch.submit();
  ASSERT_EQ(slot.error, 0);
  EXPECT_EQ(batch.cachedFds(), 1u);

  ASSERT_EQ(kill(child, SIGKILL), 0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  batch.queueRead(path, slot);
  batch.submit();
  EXPECT_TRUE(slot.error == ESRCH || slot.error == ENOENT) << slot.error;
  EXPECT_TRUE(slot.data.empty());
  EXPECT_EQ(batch.cachedFds(), 0u);
}

TEST(PlainReadBatchTest, FdsNotReadInTheLastPassAreClosed) {
  PlainReadBatch batch("/");
  ReadSlot a, b;
  batch.queueRead("/proc/loadavg", a);
  batch.queueRead("/proc/uptime", b);
  batch.submit();
  EXPECT_EQ(batch.cachedFds(), 2u);
  batch.queueRead("/proc/loadavg", a);
  batch.submit();
  EXPECT_EQ(batch.cachedFds(), 1u);
  batch.submit();  // an empty pass changes nothing
  EXPECT_EQ(batch.cachedFds(), 1u);
}

TEST(PlainReadBatchTest, TheCacheIsBoundedAndReadsPastItStillWork) {
  PlainReadBatch batch("/", 1);
  ReadSlot a, b;
  batch.queueRead("/proc/loadavg", a);
  batch.queueRead("/proc/uptime", b);
  batch.submit();
  EXPECT_EQ(a.error, 0);
  EXPECT_EQ(b.error, 0);
  EXPECT_FALSE(b.data.empty());
  EXPECT_EQ(batch.cachedFds(), 1u);
}

}  // namespace
}  // namespace tidemark::agent
