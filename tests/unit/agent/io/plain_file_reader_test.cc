#include "agent/io/plain_file_reader.h"

#include <gtest/gtest.h>

#include <cerrno>

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

}  // namespace
}  // namespace tidemark::agent
