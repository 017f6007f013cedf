#include "agent/ships/log_tail.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::TempDir;

void append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

std::vector<std::string> poll(LogTail& tail, int* error = nullptr) {
  std::vector<std::string> lines;
  const int rc = tail.poll([&](std::string_view line) { lines.emplace_back(line); });
  if (error) *error = rc;
  return lines;
}

TEST(LogTailTest, ReadsOnlyWhatWasAppendedAndWaitsForLineEnds) {
  TempDir dir;
  const std::string path = dir.str() + "/ship.log";
  LogTail tail(path);
  int error = 0;
  EXPECT_TRUE(poll(tail, &error).empty());
  EXPECT_EQ(error, ENOENT);

  append(path, "one\ntwo\nthr");
  EXPECT_EQ(poll(tail), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(tail.offset(), 11u);
  append(path, "ee\nfour\n");
  EXPECT_EQ(poll(tail), (std::vector<std::string>{"three", "four"}));
  EXPECT_TRUE(poll(tail).empty());
}

TEST(LogTailTest, TruncationRestartsFromTheStart) {
  TempDir dir;
  const std::string path = dir.str() + "/ship.log";
  LogTail tail(path);
  append(path, "a long first line\nanother\n");
  EXPECT_EQ(poll(tail).size(), 2u);
  std::filesystem::resize_file(path, 0);
  append(path, "new\n");
  EXPECT_EQ(poll(tail), (std::vector<std::string>{"new"}));
  EXPECT_EQ(tail.restarts(), 1u);
}

TEST(LogTailTest, RotationToANewFileRestartsFromItsStart) {
  TempDir dir;
  const std::string path = dir.str() + "/ship.log";
  LogTail tail(path);
  append(path, "old 1\nold 2\nold 3\n");
  EXPECT_EQ(poll(tail).size(), 3u);
  std::filesystem::rename(path, path + ".1");
  append(path, "fresh\n");  // a longer-than-offset file would fool a size check alone
  append(path + ".1", "late write to the old file\n");
  EXPECT_EQ(poll(tail), (std::vector<std::string>{"fresh"}));
  EXPECT_EQ(tail.restarts(), 1u);
}

TEST(LogTailTest, BoundedBytesPerPoll) {
  TempDir dir;
  const std::string path = dir.str() + "/ship.log";
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "line " + std::to_string(i) + "\n";
  append(path, text);
  LogTail tail(path, 1000);
  size_t lines = poll(tail).size();
  EXPECT_LT(lines, 1000u);
  EXPECT_LE(tail.offset(), 1000u);
  for (int i = 0; i < 20 && lines < 1000; ++i) lines += poll(tail).size();
  EXPECT_EQ(lines, 1000u);
}

}  // namespace
}  // namespace tidemark::agent
