#include "common/files/durable_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/test_support.h"

namespace tidemark {
namespace {

std::string readAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(DurableFileTest, ReplacesTheContentsAndLeavesNoTempFile) {
  testing::TempDir dir;
  const std::string path = dir.str() + "/state";
  writeFileDurably(path, "one\n");
  writeFileDurably(path, "two\n", 0640);
  EXPECT_EQ(readAll(path), "two\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(DurableFileTest, NewFilesGetTheMode) {
  testing::TempDir dir;
  const std::string path = dir.str() + "/key";
  writeFileDurably(path, "secret", 0600);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(DurableFileTest, AMissingFolderIsAnErrorNamingThePath) {
  testing::TempDir dir;
  const std::string path = dir.str() + "/missing/state";
  try {
    writeFileDurably(path, "x");
    FAIL() << "wrote into a missing folder";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos);
  }
}

}  // namespace
}  // namespace tidemark
