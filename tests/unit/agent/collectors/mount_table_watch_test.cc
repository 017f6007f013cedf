#include "agent/collectors/mount_table_watch.h"

#include <gtest/gtest.h>
#include <sys/mount.h>

#include "tests/support/private_mount_namespace.h"
#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::kNoMountNamespace;
using tidemark::testing::runInPrivateMountNamespace;

TEST(MountTableWatchTest, AFixtureFileCountsAsChangedEveryTime) {
  tidemark::testing::TempDir root;
  root.write("proc/1/mountinfo", "28 1 259:2 / / rw,relatime - ext4 /dev/vda1 rw\n");
  MountTableWatch watch;
  watch.watch(root.str() + "/proc/1/mountinfo");
  EXPECT_FALSE(watch.polling());
  EXPECT_TRUE(watch.changed());
  EXPECT_TRUE(watch.changed());
}

TEST(MountTableWatchTest, AMissingFileCountsAsChangedEveryTime) {
  MountTableWatch watch;
  watch.watch("/nonexistent/proc/1/mountinfo");
  EXPECT_FALSE(watch.polling());
  EXPECT_TRUE(watch.changed());
  EXPECT_TRUE(watch.changed());
}

TEST(MountTableWatchTest, TellsAMountAndAnUnmountOnceEach) {
  tidemark::testing::TempDir target;
  const std::string mountpoint = target.str();
  // Step numbers say which expectation failed in the child.
  const int result = runInPrivateMountNamespace([&] {
    MountTableWatch watch;
    watch.watch("/proc/self/mountinfo");
    if (!watch.polling()) return 1;
    if (!watch.changed()) return 2;  // the first call: never read yet
    if (watch.changed()) return 3;   // nothing mounted since
    if (::mount("tidemark-test", mountpoint.c_str(), "tmpfs", 0, "size=64k") != 0) return 4;
    if (!watch.changed()) return 5;
    if (watch.changed()) return 6;  // told once
    if (::umount(mountpoint.c_str()) != 0) return 7;
    if (!watch.changed()) return 8;
    watch.watch("/proc/self/mountinfo");
    if (!watch.changed()) return 9;  // watching anew starts with a read
    return 0;
  });
  if (result == kNoMountNamespace) GTEST_SKIP() << "no CAP_SYS_ADMIN for a mount namespace";
  EXPECT_EQ(result, 0) << "failed at step " << result;
}

}  // namespace
}  // namespace tidemark::agent
