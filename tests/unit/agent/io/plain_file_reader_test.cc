#include "agent/io/plain_file_reader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <map>

#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

TEST(PlainFileReaderTest, ReadsUnderRootAndReportsErrno) {
  testing::TempDir root;
  root.write("proc/loadavg", "0.10 0.20 0.30 1/100 42\n");
  PlainFileReader reader(root.str() + "/");
  std::string out = "stale";
  EXPECT_EQ(reader.read("/proc/loadavg", out), 0);
  EXPECT_EQ(out, "0.10 0.20 0.30 1/100 42\n");
  EXPECT_EQ(reader.read("/proc/missing", out), ENOENT);
  EXPECT_TRUE(out.empty());
}

TEST(PlainFileReaderTest, ReadsFilesLargerThanOneChunk) {
  testing::TempDir root;
  std::string big(100'000, 'x');
  root.write("big", big);
  PlainFileReader reader(root.str());
  std::string out;
  ASSERT_EQ(reader.read("/big", out), 0);
  EXPECT_EQ(out, big);
}

TEST(PlainFileReaderTest, ListsDirectorySorted) {
  testing::TempDir root;
  root.write("sys/block/sdb/stat", "");
  root.write("sys/block/nvme0n1/stat", "");
  PlainFileReader reader(root.str());
  std::vector<std::string> names;
  ASSERT_EQ(reader.listDirectory("/sys/block", names), 0);
  EXPECT_EQ(names, (std::vector<std::string>{"nvme0n1", "sdb"}));
  EXPECT_EQ(reader.listDirectory("/nope", names), ENOENT);
}

TEST(PlainFileReaderTest, ListsEntriesWithInodesAndAFolderMadeAnewGetsANewOne) {
  testing::TempDir root;
  root.write("proc/12/cmdline", "");
  root.write("proc/34/cmdline", "");
  PlainFileReader reader(root.str());
  std::vector<DirectoryEntry> entries;
  ASSERT_EQ(reader.listDirectoryEntries("/proc", entries), 0);
  ASSERT_EQ(entries.size(), 2u);
  std::map<std::string, uint64_t> inodes;
  for (const auto& entry : entries) inodes[entry.name] = entry.inode;
  ASSERT_TRUE(inodes.contains("12"));
  struct stat folder {};
  ASSERT_EQ(::stat((root.str() + "/proc/12").c_str(), &folder), 0);
  EXPECT_EQ(inodes["12"], folder.st_ino);

  // Made anew while the old one still exists, then renamed over it: never the same
  // inode, whatever the filesystem reuses.
  root.write("proc/12.new/cmdline", "");
  std::filesystem::remove_all(root.str() + "/proc/12");
  std::filesystem::rename(root.str() + "/proc/12.new", root.str() + "/proc/12");
  ASSERT_EQ(reader.listDirectoryEntries("/proc", entries), 0);
  ASSERT_EQ(entries.size(), 2u);
  for (const auto& entry : entries)
    if (entry.name == "12") {
      EXPECT_NE(entry.inode, folder.st_ino);
    }
  EXPECT_EQ(reader.listDirectoryEntries("/nope", entries), ENOENT);
  EXPECT_TRUE(entries.empty());
}

}  // namespace
}  // namespace tidemark::agent
