#include "agent/collectors/filesystem_statter.h"

#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/statfs.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "agent/collectors/filesystem.h"
#include "agent/io/plain_file_reader.h"
#include "agent/io/plain_read_batch.h"
#include "common/time/clock.h"
#include "tests/support/recording_sample_writer.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using tidemark::testing::RecordingSampleWriter;

constexpr int64_t kTimeoutMs = 80;
// Generous: these tests prove "bounded", never "fast", so a loaded machine passes.
constexpr auto kBound = milliseconds(2000);

// A statter whose calls for `hung_path` block until release(), like statfs on a
// dead NFS server. Called from TimeoutStatter's worker threads.
class HangingStatter final : public FilesystemStatter {
 public:
  explicit HangingStatter(std::string hung_path) : hung_path_(std::move(hung_path)) {}

  int statfs(const std::string& path, FilesystemUsage& out) override {
    std::unique_lock lock(mutex_);
    ++calls_[path];
    if (path == hung_path_ || hung_path_ == "*") {
      released_changed_.wait(lock, [this] { return released_; });
    }
    out = {4096, 2048, 1024, 10, 5, false};
    return 0;
  }

  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    released_changed_.notify_all();
  }

  int calls(const std::string& path) {
    std::lock_guard lock(mutex_);
    return calls_[path];
  }

 private:
  const std::string hung_path_;
  std::mutex mutex_;
  std::condition_variable released_changed_;
  bool released_ = false;
  std::map<std::string, int> calls_;
};

// Releases the hanging statter even when an assertion fails, so no worker stays stuck.
struct ReleaseAtEnd {
  std::shared_ptr<HangingStatter> statter;
  ~ReleaseAtEnd() { statter->release(); }
};

// Polls until the stuck call has returned and the statter noticed.
bool waitUntilUnstuck(const TimeoutStatter& statter) {
  const auto deadline = steady_clock::now() + milliseconds(5000);
  while (statter.stuckCount() != 0) {
    if (steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

template <typename F>
milliseconds timed(F&& f) {
  const auto start = steady_clock::now();
  f();
  return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
}

TEST(FilesystemStatterTest, StatvfsReadsARealDirectory) {
  tidemark::testing::TempDir dir;
  StatvfsStatter statter;
  FilesystemUsage usage;
  ASSERT_EQ(statter.statfs(dir.str(), usage), 0);
  EXPECT_GT(usage.size_bytes, 0u);
  EXPECT_GE(usage.size_bytes, usage.free_bytes);
  EXPECT_GE(usage.free_bytes, usage.avail_bytes);
  EXPECT_EQ(statter.statfs(dir.str() + "/missing", usage), ENOENT);
}

TEST(FilesystemStatterTest, StatvfsNamesTheFilesystemTypeAndLocalTypesAreKnown) {
  tidemark::testing::TempDir dir;
  struct statfs expected {};
  ASSERT_EQ(::statfs(dir.str().c_str(), &expected), 0);
  StatvfsStatter statter;
  FilesystemUsage usage;
  ASSERT_EQ(statter.statfs(dir.str(), usage), 0);
  EXPECT_EQ(usage.type, static_cast<int64_t>(expected.f_type));
  for (int64_t local : {int64_t{EXT4_SUPER_MAGIC}, int64_t{XFS_SUPER_MAGIC}, int64_t{TMPFS_MAGIC},
                        int64_t{RAMFS_MAGIC}})
    EXPECT_TRUE(isLocalSuperblockType(local)) << std::hex << local;
  for (int64_t remote :
       {int64_t{NFS_SUPER_MAGIC}, int64_t{SMB_SUPER_MAGIC}, int64_t{FUSE_SUPER_MAGIC}, int64_t{0}})
    EXPECT_FALSE(isLocalSuperblockType(remote)) << std::hex << remote;
}

TEST(FilesystemStatterTest, TimeoutStatterPassesResultsThrough) {
  tidemark::testing::TempDir dir;
  TimeoutStatter statter(1000);
  FilesystemUsage usage;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(statter.statfs(dir.str(), usage), 0);
    EXPECT_GT(usage.size_bytes, 0u);
  }
  EXPECT_EQ(statter.statfs(dir.str() + "/missing", usage), ENOENT);
  EXPECT_EQ(statter.stuckCount(), 0u);
}

TEST(FilesystemStatterTest, HungPathTimesOutAndIsNotCalledAgainUntilItReturns) {
  auto inner = std::make_shared<HangingStatter>("/hung");
  ReleaseAtEnd release{inner};
  TimeoutStatter statter(kTimeoutMs, inner);
  FilesystemUsage usage;

  int result = 0;
  EXPECT_LT(timed([&] { result = statter.statfs("/hung", usage); }), kBound);
  EXPECT_EQ(result, ETIMEDOUT);
  EXPECT_EQ(statter.stuckCount(), 1u);
  // Other paths get a fresh worker instead of queueing behind the stuck one.
  EXPECT_EQ(statter.statfs("/fine", usage), 0);
  EXPECT_EQ(usage.size_bytes, 4096u);
  // The stuck path answers at once, without a second call piling up.
  EXPECT_LT(timed([&] { result = statter.statfs("/hung", usage); }), kBound);
  EXPECT_EQ(result, ETIMEDOUT);
  EXPECT_EQ(inner->calls("/hung"), 1);

  inner->release();
  ASSERT_TRUE(waitUntilUnstuck(statter));
  EXPECT_EQ(statter.statfs("/hung", usage), 0);
  EXPECT_EQ(inner->calls("/hung"), 2);
}

TEST(FilesystemStatterTest, StopsStartingWorkersPastTheStuckCap) {
  auto inner = std::make_shared<HangingStatter>("*");
  ReleaseAtEnd release{inner};
  TimeoutStatter statter(kTimeoutMs, inner, /*max_stuck=*/1);
  FilesystemUsage usage;
  EXPECT_EQ(statter.statfs("/a", usage), ETIMEDOUT);
  EXPECT_EQ(statter.statfs("/b", usage), EBUSY);
  EXPECT_EQ(inner->calls("/b"), 0);

  inner->release();
  ASSERT_TRUE(waitUntilUnstuck(statter));
  EXPECT_EQ(statter.statfs("/b", usage), 0);
}

TEST(FilesystemStatterTest, DestroyingWhileStuckDoesNotWait) {
  auto inner = std::make_shared<HangingStatter>("/hung");
  ReleaseAtEnd release{inner};
  EXPECT_LT(timed([&] {
              TimeoutStatter statter(kTimeoutMs, inner);
              FilesystemUsage usage;
              EXPECT_EQ(statter.statfs("/fine", usage), 0);
              EXPECT_EQ(statter.statfs("/hung", usage), ETIMEDOUT);
            }),
            kBound);
}

// The collector over a TimeoutStatter: a hung mount costs one timeout, is reported
// as a device error, and is not statted again while its first call is stuck.
TEST(FilesystemHungMountTest, CollectionStaysBoundedAndRecovers) {
  const std::string root = tidemark::testing::fixturePath("hosts/basic");
  const std::string hung = root + "/mnt/nfs";
  auto inner = std::make_shared<HangingStatter>(hung);
  ReleaseAtEnd release{inner};
  TimeoutStatter statter(kTimeoutMs, inner);
  PlainFileReader reader(root);
  PlainReadBatch batch(root);
  ManualClock clock;
  ThrottledLog log(clock);
  FilesystemCollectorOptions options;
  options.include_network = true;
  options.statfs_timeout_ms = kTimeoutMs;
  FilesystemCollector collector(reader, log, statter, options);
  tidemark::testing::LogCapture logs;
  const Labels nfs = {
      {"device", "fileserver:/export/home"}, {"fstype", "nfs4"}, {"mountpoint", "/mnt/nfs"}};
  const Labels data = {{"device", "/dev/nvme0n1p3"}, {"fstype", "xfs"}, {"mountpoint", "/data"}};

  RecordingSampleWriter first;
  EXPECT_LT(timed([&] { tidemark::testing::collectPass(collector, batch, first); }), kBound);
  EXPECT_EQ(first.value("node_filesystem_device_error", nfs), 1.0);
  EXPECT_FALSE(first.value("node_filesystem_size_bytes", nfs));
  EXPECT_EQ(first.value("node_filesystem_size_bytes", data), 4096.0);
  EXPECT_EQ(first.count("node_filesystem_size_bytes"), 7u);
  EXPECT_EQ(logs.count("filesystem: statfs " + hung +
                       " (nfs4 fileserver:/export/home on /mnt/nfs): Connection timed out"),
            1u);

  RecordingSampleWriter second;
  EXPECT_LT(timed([&] { tidemark::testing::collectPass(collector, batch, second); }), kBound);
  EXPECT_EQ(second.value("node_filesystem_device_error", nfs), 1.0);
  EXPECT_EQ(inner->calls(hung), 1);

  inner->release();
  ASSERT_TRUE(waitUntilUnstuck(statter));
  RecordingSampleWriter third;
  tidemark::testing::collectPass(collector, batch, third);
  EXPECT_EQ(third.value("node_filesystem_device_error", nfs), 0.0);
  EXPECT_EQ(third.value("node_filesystem_size_bytes", nfs), 4096.0);
  EXPECT_EQ(inner->calls(hung), 2);
}

}  // namespace
}  // namespace tidemark::agent
