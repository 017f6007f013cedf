#include "agent/collectors/filesystem.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <set>
#include <vector>

#include "agent/io/plain_file_reader.h"
#include "agent/io/plain_read_batch.h"
#include "common/time/clock.h"
#include "tests/support/private_mount_namespace.h"
#include "tests/support/recording_sample_writer.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::RecordingSampleWriter;

// Answers from a table instead of the kernel, and remembers what it was asked.
class FakeStatter final : public FilesystemStatter {
 public:
  int statfs(const std::string& path, FilesystemUsage& out) override {
    calls.push_back(path);
    if (auto it = errors.find(path); it != errors.end()) return it->second;
    auto it = usages.find(path);
    out = it != usages.end() ? it->second : fallback;
    return 0;
  }

  std::map<std::string, FilesystemUsage> usages;
  std::map<std::string, int> errors;
  FilesystemUsage fallback{1000, 500, 400, 100, 50, false};
  std::vector<std::string> calls;
};

Labels mountLabels(const std::string& device, const std::string& fstype,
                   const std::string& mountpoint) {
  return {{"device", device}, {"fstype", fstype}, {"mountpoint", mountpoint}};
}

class FilesystemCollectorTest : public ::testing::Test {
 protected:
  std::set<std::string> reportedMountpoints() const {
    std::set<std::string> mountpoints;
    for (const auto& s : out_.samples)
      if (s.name == "node_filesystem_device_error") mountpoints.insert(s.labels.at(2).value);
    return mountpoints;
  }

  const std::string root_ = tidemark::testing::fixturePath("hosts/basic");
  ManualClock clock_;
  ThrottledLog log_{clock_};
  RecordingSampleWriter out_;
  FakeStatter statter_;
};

TEST_F(FilesystemCollectorTest, ReportsRealMountsOfBasicHost) {
  PlainFileReader reader(root_);
  PlainReadBatch batch(root_);
  statter_.usages[root_ + "/"] = {500'107'862'016, 123'456'789'012, 98'765'432'100,
                                  30'531'584,      28'000'001,      false};
  statter_.usages[root_ + "/boot/efi"] = {536'834'048, 530'000'000, 530'000'000, 0, 0, true};
  FilesystemCollector collector(reader, log_, statter_, FilesystemCollectorOptions{});
  EXPECT_EQ(collector.name(), "filesystem");
  tidemark::testing::LogCapture logs;
  tidemark::testing::collectPass(collector, batch, out_);
  EXPECT_EQ(logs.text(), "");

  // No pseudo filesystems, nothing under /dev /proc /sys, no credentials or docker
  // storage, no nfs4 or fuse.sshfs by default, and /data only once.
  EXPECT_EQ(reportedMountpoints(),
            (std::set<std::string>{"/", "/run", "/boot/efi", "/data", "/archive", "/srv/My Media",
                                   "/run/user/1000"}));
  EXPECT_EQ(statter_.calls,
            (std::vector<std::string>{root_ + "/run", root_ + "/", root_ + "/boot/efi",
                                      root_ + "/data", root_ + "/archive", root_ + "/srv/My Media",
                                      root_ + "/run/user/1000"}));

  const Labels root = mountLabels("/dev/nvme0n1p2", "ext4", "/");
  EXPECT_EQ(out_.value("node_filesystem_size_bytes", root), 500'107'862'016.0);
  EXPECT_EQ(out_.value("node_filesystem_free_bytes", root), 123'456'789'012.0);
  EXPECT_EQ(out_.value("node_filesystem_avail_bytes", root), 98'765'432'100.0);
  EXPECT_EQ(out_.value("node_filesystem_files", root), 30'531'584.0);
  EXPECT_EQ(out_.value("node_filesystem_files_free", root), 28'000'001.0);
  EXPECT_EQ(out_.value("node_filesystem_readonly", root), 0.0);
  EXPECT_EQ(out_.value("node_filesystem_device_error", root), 0.0);

  // Read-only from the mount options, and from the statfs flags.
  EXPECT_EQ(out_.value("node_filesystem_readonly", mountLabels("/dev/sda1", "ext4", "/archive")),
            1.0);
  EXPECT_EQ(
      out_.value("node_filesystem_readonly", mountLabels("/dev/nvme0n1p1", "vfat", "/boot/efi")),
      1.0);

  const Labels media = mountLabels("/dev/nvme0n1p3", "xfs", "/srv/My Media");
  EXPECT_EQ(out_.value("node_filesystem_size_bytes", media), 1000.0);
  EXPECT_EQ(out_.value("node_filesystem_avail_bytes", media), 400.0);
  EXPECT_EQ(out_.value("node_filesystem_size_bytes", mountLabels("tmpfs", "tmpfs", "/run")),
            1000.0);
  EXPECT_EQ(out_.count("node_filesystem_size_bytes"), 7u);
  EXPECT_EQ(out_.samples.size(), 7u * 7u);
}

TEST_F(FilesystemCollectorTest, ReportsNetworkAndFuseMountsWhenAsked) {
  PlainFileReader reader(root_);
  PlainReadBatch batch(root_);
  FilesystemCollectorOptions options;
  options.include_network = true;
  options.include_fuse = true;
  FilesystemCollector collector(reader, log_, statter_, options);
  tidemark::testing::collectPass(collector, batch, out_);

  EXPECT_EQ(out_.count("node_filesystem_size_bytes"), 9u);
  EXPECT_EQ(out_.value("node_filesystem_device_error",
                       mountLabels("fileserver:/export/home", "nfs4", "/mnt/nfs")),
            0.0);
  EXPECT_EQ(out_.value("node_filesystem_files",
                       mountLabels("ops@backup:/srv", "fuse.sshfs", "/mnt/remote")),
            100.0);
}

TEST_F(FilesystemCollectorTest, LocalFilesystemsSkipTheTimeoutStatterNetworkAndFuseDoNot) {
  PlainFileReader reader(root_);
  PlainReadBatch batch(root_);
  FilesystemCollectorOptions options;
  options.include_network = true;
  options.include_fuse = true;
  FakeStatter in_memory;
  FilesystemCollector collector(reader, log_, statter_, options, &in_memory);
  tidemark::testing::collectPass(collector, batch, out_);

  // ext4, xfs and tmpfs answer statfs from memory; vfat, nfs4 and fuse.sshfs may block.
  std::set<std::string> direct(in_memory.calls.begin(), in_memory.calls.end());
  std::set<std::string> bounded(statter_.calls.begin(), statter_.calls.end());
  EXPECT_TRUE(direct.contains(root_ + "/"));
  EXPECT_TRUE(direct.contains(root_ + "/data"));
  EXPECT_TRUE(direct.contains(root_ + "/run"));
  EXPECT_FALSE(direct.contains(root_ + "/mnt/nfs"));
  EXPECT_TRUE(bounded.contains(root_ + "/mnt/nfs"));
  EXPECT_TRUE(bounded.contains(root_ + "/mnt/remote"));
  EXPECT_TRUE(bounded.contains(root_ + "/boot/efi"));
  EXPECT_FALSE(bounded.contains(root_ + "/"));
  EXPECT_EQ(in_memory.calls.size() + statter_.calls.size(), 9u);  // each mount once
  EXPECT_EQ(out_.count("node_filesystem_size_bytes"), 9u);
}

TEST_F(FilesystemCollectorTest, FailedStatfsMarksDeviceErrorAndSkipsSizes) {
  PlainFileReader reader(root_);
  PlainReadBatch batch(root_);
  statter_.errors[root_ + "/data"] = EIO;
  FilesystemCollector collector(reader, log_, statter_, FilesystemCollectorOptions{});
  tidemark::testing::LogCapture logs;
  tidemark::testing::collectPass(collector, batch, out_);

  const Labels data = mountLabels("/dev/nvme0n1p3", "xfs", "/data");
  EXPECT_EQ(out_.value("node_filesystem_device_error", data), 1.0);
  EXPECT_EQ(out_.value("node_filesystem_readonly", data), 0.0);
  EXPECT_FALSE(out_.value("node_filesystem_size_bytes", data));
  EXPECT_FALSE(out_.value("node_filesystem_files_free", data));
  EXPECT_EQ(out_.count("node_filesystem_size_bytes"), 6u);
  EXPECT_EQ(logs.count("filesystem: statfs " + root_ +
                       "/data (xfs /dev/nvme0n1p3 on /data): Input/output error (errno 5)"),
            1u);
}

TEST_F(FilesystemCollectorTest, SkipsMalformedLinesAndDecodesEscapes) {
  PlainFileReader reader(tidemark::testing::fixturePath("hosts/malformed"));
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/malformed"));
  FilesystemCollector collector(reader, log_, statter_, FilesystemCollectorOptions{});
  tidemark::testing::LogCapture logs;
  tidemark::testing::collectPass(collector, batch, out_);

  EXPECT_EQ(reportedMountpoints(), (std::set<std::string>{"/", "/home dir\\x"}));
  EXPECT_EQ(
      out_.value("node_filesystem_readonly", mountLabels("/dev/sdd1", "ext4", "/home dir\\x")),
      1.0);

  const std::string prefix = "filesystem: /proc/1/mountinfo line ";
  EXPECT_EQ(logs.count(prefix + "2 "), 1u);
  EXPECT_EQ(logs.count("no \"-\" separator before the filesystem type; line skipped"), 1u);
  EXPECT_EQ(logs.count(prefix + "3 \"30 28 259:4 / /short rw\": 6 fields, need at least 10"), 1u);
  EXPECT_EQ(logs.count(prefix + "4 "), 1u);
  EXPECT_EQ(logs.count("2 fields after \"-\", need 3; line skipped"), 1u);
  EXPECT_EQ(logs.count("field 3 (\"bogus\") is not major:minor; line skipped"), 1u);
  EXPECT_EQ(logs.count("mount point \"relative\" is not absolute; line skipped"), 1u);
}

TEST_F(FilesystemCollectorTest, FallsBackToSelfMountinfo) {
  tidemark::testing::TempDir root;
  root.write("proc/self/mountinfo", "28 1 259:2 / / rw,relatime - ext4 /dev/vda1 rw\n");
  PlainFileReader reader(root.str());
  PlainReadBatch batch(root.str());
  FilesystemCollector collector(reader, log_, statter_, FilesystemCollectorOptions{});
  tidemark::testing::LogCapture logs;
  tidemark::testing::collectPass(collector, batch, out_);
  EXPECT_EQ(logs.text(), "");
  EXPECT_EQ(out_.value("node_filesystem_size_bytes", mountLabels("/dev/vda1", "ext4", "/")),
            1000.0);
  EXPECT_EQ(statter_.calls, (std::vector<std::string>{root.str() + "/"}));
}

TEST_F(FilesystemCollectorTest, LogsWhenNoMountinfoIsReadable) {
  tidemark::testing::TempDir root;
  PlainFileReader reader(root.str());
  PlainReadBatch batch(root.str());
  FilesystemCollector collector(reader, log_, statter_, FilesystemCollectorOptions{});
  tidemark::testing::LogCapture logs;
  tidemark::testing::collectPass(collector, batch, out_);
  EXPECT_TRUE(out_.samples.empty());
  EXPECT_TRUE(statter_.calls.empty());
  EXPECT_EQ(logs.count("filesystem: cannot read /proc/self/mountinfo"), 1u);
}

TEST_F(FilesystemCollectorTest, AFixtureMountTableIsReadEveryPass) {
  // A fixture is a plain file, which cannot say it changed: it is read each pass.
  tidemark::testing::TempDir root;
  root.write("proc/1/mountinfo", "28 1 259:2 / / rw,relatime - ext4 /dev/vda1 rw\n");
  PlainFileReader reader(root.str());
  PlainReadBatch inner(root.str());
  tidemark::testing::FailingReadBatch batch(inner);
  FilesystemCollector collector(reader, log_, statter_, FilesystemCollectorOptions{});
  tidemark::testing::collectPass(collector, batch, out_);
  root.write("proc/1/mountinfo",
             "28 1 259:2 / / rw,relatime - ext4 /dev/vda1 rw\n"
             "29 28 259:3 / /data rw,relatime - xfs /dev/vdb1 rw\n");
  out_.samples.clear();
  tidemark::testing::collectPass(collector, batch, out_);
  EXPECT_EQ(batch.reads, 2);
  EXPECT_EQ(out_.value("node_filesystem_size_bytes", mountLabels("/dev/vdb1", "xfs", "/data")),
            1000.0);
}

TEST_F(FilesystemCollectorTest, TheKernelsMountTableIsReadAgainOnlyAfterAMountOrUnmount) {
  tidemark::testing::TempDir target;
  const std::string mountpoint = target.str();
  // In a mount namespace of its own, with PID 1's table refused so the collector falls
  // back to its own (the one this child can change). Step numbers say what failed.
  const int result = tidemark::testing::runInPrivateMountNamespace([&] {
    PlainFileReader reader("/");
    PlainReadBatch inner("/");
    tidemark::testing::FailingReadBatch batch(inner);
    batch.failures[std::string(FilesystemCollector::kHostMountinfo)] = EACCES;
    FilesystemCollector collector(reader, log_, statter_, FilesystemCollectorOptions{});
    auto reported = [&] {
      return out_.value("node_filesystem_size_bytes", mountLabels("tidemark-test", "tmpfs",
                                                                  mountpoint)) == 1000.0;
    };
    auto pass = [&] {
      out_.samples.clear();
      statter_.calls.clear();
      tidemark::testing::collectPass(collector, batch, out_);
    };
    pass();  // PID 1's refused, its own read directly
    if (batch.reads != 1 || statter_.calls.empty()) return 1;
    pass();  // its own is watched from now on: read once more
    if (batch.reads != 2) return 2;
    const size_t mounts = statter_.calls.size();
    pass();
    if (batch.reads != 2) return 3;                 // unchanged: not read
    if (statter_.calls.size() != mounts) return 4;  // but every mount statted again
    if (::mount("tidemark-test", mountpoint.c_str(), "tmpfs", 0, "size=64k") != 0) return 5;
    pass();
    if (batch.reads != 3 || !reported()) return 6;
    pass();
    if (batch.reads != 3 || !reported()) return 7;
    if (::umount(mountpoint.c_str()) != 0) return 8;
    pass();
    if (batch.reads != 4 || reported()) return 9;
    return 0;
  });
  if (result == tidemark::testing::kNoMountNamespace) {
    GTEST_SKIP() << "no CAP_SYS_ADMIN for a mount namespace";
  }
  EXPECT_EQ(result, 0) << "failed at step " << result;
}

TEST(ParseMountinfoTest, ReusesElementsAndShrinks) {
  std::vector<MountInfo> mounts;
  ParseProblems problems("filesystem", "/proc/1/mountinfo");
  parseMountinfo(
      "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
      "2 1 8:2 / /a\\011b rw shared:1 master:3 - xfs /dev/sda2 ro\n",
      mounts, problems);
  ASSERT_EQ(mounts.size(), 2u);
  EXPECT_EQ(mounts[1].mountpoint, "/a\tb");
  EXPECT_EQ(mounts[1].fstype, "xfs");
  EXPECT_EQ(mounts[1].device, "/dev/sda2");
  EXPECT_TRUE(mounts[1].readonly);  // from the superblock options
  EXPECT_FALSE(mounts[0].readonly);

  parseMountinfo("3 0 8:3 / /b rw,noatime - ext4 /dev/sdb\\0401 rw\n", mounts, problems);
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].mountpoint, "/b");
  EXPECT_EQ(mounts[0].device, "/dev/sdb 1");
  EXPECT_TRUE(problems.empty());
}

TEST(ShouldReportMountTest, FollowsNodeExporterDefaultExcludes) {
  const FilesystemCollectorOptions defaults;
  auto reported = [&](const std::string& fstype, const std::string& mountpoint) {
    return shouldReportMount(MountInfo{"/dev/x", fstype, mountpoint, false}, defaults);
  };
  EXPECT_TRUE(reported("ext4", "/"));
  EXPECT_TRUE(reported("ext4", "/devices"));
  EXPECT_TRUE(reported("ext4", "/system"));
  EXPECT_TRUE(reported("ext4", "/var/lib/docker"));
  EXPECT_TRUE(reported("ext4", "/var/lib/dockerd/x"));
  EXPECT_TRUE(reported("tmpfs", "/run"));
  EXPECT_TRUE(reported("fuseblk", "/media/usb"));
  EXPECT_FALSE(reported("ext4", "/dev"));
  EXPECT_FALSE(reported("ext4", "/sys/kernel"));
  EXPECT_FALSE(reported("ext4", "/proc/fs/nfsd"));
  EXPECT_FALSE(reported("tmpfs", "/run/credentials/x.service"));
  EXPECT_FALSE(reported("xfs", "/var/lib/containers/storage/overlay"));
  for (const char* type : {"autofs", "bpf", "cgroup", "cgroup2", "overlay", "squashfs", "erofs",
                           "tracefs", "nsfs", "sysfs", "proc"}) {
    EXPECT_FALSE(reported(type, "/mnt/x")) << type;
  }
  for (const char* type : {"nfs", "nfs4", "cifs", "smb3", "ceph", "9p", "fuse", "fuse.sshfs"}) {
    EXPECT_FALSE(reported(type, "/mnt/x")) << type;
  }

  FilesystemCollectorOptions network;
  network.include_network = true;
  EXPECT_TRUE(shouldReportMount(MountInfo{"srv:/x", "nfs4", "/mnt/x", false}, network));
  EXPECT_FALSE(shouldReportMount(MountInfo{"srv:/x", "fuse.sshfs", "/mnt/x", false}, network));
  FilesystemCollectorOptions fuse;
  fuse.include_fuse = true;
  EXPECT_TRUE(shouldReportMount(MountInfo{"srv:/x", "fuse.sshfs", "/mnt/x", false}, fuse));
  EXPECT_FALSE(shouldReportMount(MountInfo{"srv:/x", "cifs", "/mnt/x", false}, fuse));
}

}  // namespace
}  // namespace tidemark::agent
