#include "agent/state/state_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "agent/batch/series_registry.h"
#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::TempDir;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string runtimeErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("<not a std::runtime_error: ") + e.what() + ">";
  } catch (...) {
    return "<unknown exception>";
  }
  return "<no exception>";
}

mode_t modeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(StateDirTest, CreatesTheFolderPrivateWithAnEpoch) {
  TempDir dir;
  const std::string path = dir.str() + "/var/lib/tidemark-agent";
  StateDir state(path);
  EXPECT_EQ(state.path(), path);
  ASSERT_TRUE(std::filesystem::is_directory(path));
  EXPECT_EQ(modeOf(path), 0700u);
  EXPECT_NE(state.epoch(), 0u);
  EXPECT_EQ(state.seriesJournalPath(), path + "/series.tsv");

  // The epoch file holds the epoch as 16 hex digits.
  const std::string epoch_text = readFile(path + "/epoch");
  ASSERT_EQ(epoch_text.size(), 17u) << epoch_text;
  EXPECT_EQ(epoch_text.back(), '\n');
  EXPECT_EQ(std::stoull(epoch_text.substr(0, 16), nullptr, 16), state.epoch());
}

TEST(StateDirTest, TightensTheModeOfAnExistingFolder) {
  TempDir dir;
  const std::string path = dir.str() + "/state";
  std::filesystem::create_directory(path);
  ASSERT_EQ(::chmod(path.c_str(), 0755), 0);
  StateDir state(path);
  EXPECT_EQ(modeOf(path), 0700u);
}

TEST(StateDirTest, ReopeningKeepsTheEpoch) {
  TempDir dir;
  const std::string path = dir.str() + "/state";
  uint64_t epoch = 0;
  {
    StateDir state(path);
    epoch = state.epoch();
  }
  StateDir reopened(path);
  EXPECT_EQ(reopened.epoch(), epoch);
  StateDir again(path);
  EXPECT_EQ(again.epoch(), epoch);
}

TEST(StateDirTest, NewFoldersGetDifferentEpochs) {
  TempDir dir;
  StateDir a(dir.str() + "/a");
  StateDir b(dir.str() + "/b");
  EXPECT_NE(a.epoch(), b.epoch());
}

TEST(StateDirTest, SequencesStartAtOneAndIncrease) {
  TempDir dir;
  StateDir state(dir.str() + "/state", 3);
  EXPECT_EQ(state.peekSequence(), 1u);
  for (uint64_t expected = 1; expected <= 10; ++expected) {
    EXPECT_EQ(state.peekSequence(), expected);
    EXPECT_EQ(state.nextSequence(), expected);
  }
  EXPECT_EQ(state.peekSequence(), 11u);
}

TEST(StateDirTest, SequencesNeverRepeatAcrossCrashes) {
  TempDir dir;
  const std::string path = dir.str() + "/state";
  std::set<uint64_t> seen;
  uint64_t last = 0;
  for (int run = 0; run < 4; ++run) {
    // Each run takes a few sequences and "crashes" (the object dies, nothing else is saved).
    StateDir state(path);
    for (int i = 0; i < 5; ++i) {
      const uint64_t sequence = state.nextSequence();
      EXPECT_GT(sequence, last) << "run " << run;
      EXPECT_TRUE(seen.insert(sequence).second) << "reused " << sequence;
      last = sequence;
    }
  }
  EXPECT_EQ(seen.size(), 20u);
}

TEST(StateDirTest, NextAfterReopenIsBeyondEverySequenceTaken) {
  TempDir dir;
  const std::string path = dir.str() + "/state";
  {
    StateDir state(path);
    for (int i = 0; i < 5; ++i) state.nextSequence();
  }
  StateDir reopened(path);
  EXPECT_GT(reopened.peekSequence(), 5u);
  EXPECT_GT(reopened.nextSequence(), 5u);
}

TEST(StateDirTest, BlockReservationIsPersistedInTheSequenceFile) {
  TempDir dir;
  const std::string path = dir.str() + "/state";
  const std::string sequence_file = path + "/sequence";
  {
    StateDir state(path, 10);
    EXPECT_EQ(readFile(sequence_file), "10\n");
    for (uint64_t i = 1; i <= 10; ++i) EXPECT_EQ(state.nextSequence(), i);
    EXPECT_EQ(readFile(sequence_file), "10\n");  // still within the first block
    EXPECT_EQ(state.nextSequence(), 11u);
    EXPECT_EQ(readFile(sequence_file), "20\n");  // the next block is reserved before use
  }
  {
    // Everything up to the reservation may have been used: start after it.
    StateDir state(path, 10);
    EXPECT_EQ(state.nextSequence(), 21u);
    EXPECT_EQ(readFile(sequence_file), "30\n");
  }
  EXPECT_FALSE(std::filesystem::exists(sequence_file + ".tmp"));
}

TEST(StateDirTest, BlockOfOneLosesNoSequences) {
  TempDir dir;
  const std::string path = dir.str() + "/state";
  {
    StateDir state(path, 1);
    EXPECT_EQ(state.nextSequence(), 1u);
    EXPECT_EQ(state.nextSequence(), 2u);
    EXPECT_EQ(state.nextSequence(), 3u);
    EXPECT_EQ(readFile(path + "/sequence"), "3\n");
  }
  StateDir state(path, 1);
  EXPECT_EQ(state.nextSequence(), 4u);
}

TEST(StateDirTest, EmptyEpochFileStartsAFreshEpoch) {
  TempDir dir;
  const std::string path = dir.str() + "/state";
  uint64_t old_epoch = 0;
  {
    StateDir state(path);
    old_epoch = state.epoch();
    for (int i = 0; i < 3; ++i) state.nextSequence();
    SeriesRegistry registry(state.seriesJournalPath());
    registry.idFor("m", {});
  }
  ASSERT_TRUE(std::filesystem::exists(path + "/series.tsv"));
  dir.write("state/epoch", "");

  StateDir state(path);
  EXPECT_NE(state.epoch(), 0u);
  EXPECT_NE(state.epoch(), old_epoch);
  // A new epoch starts its sequences and series ids afresh.
  EXPECT_EQ(state.nextSequence(), 1u);
  EXPECT_FALSE(std::filesystem::exists(path + "/series.tsv"));
  StateDir reopened(path);
  EXPECT_EQ(reopened.epoch(), state.epoch());
}

TEST(StateDirTest, ReadsAnEpochWrittenByHand) {
  TempDir dir;
  dir.write("state/epoch", "00000000deadbeef\n");
  StateDir state(dir.str() + "/state");
  EXPECT_EQ(state.epoch(), 0xdeadbeefu);
}

class StateDirBadEpochTest : public ::testing::TestWithParam<const char*> {};

TEST_P(StateDirBadEpochTest, ThrowsNamingTheEpochFile) {
  TempDir dir;
  dir.write("state/epoch", GetParam());
  const std::string path = dir.str() + "/state";
  const std::string error = runtimeErrorOf([&] { StateDir state(path); });
  EXPECT_NE(error.find(path + "/epoch"), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(Contents, StateDirBadEpochTest,
                         ::testing::Values("not-an-epoch\n", "0000000000000000\n", "zz\n",
                                           "123456789abcdef01\n",  // too big for 64 bits
                                           "0123456789abcdefjunk\n", "  12ab\n", "-1\n"));

TEST(StateDirTest, BadSequenceFileThrowsNamingIt) {
  TempDir dir;
  const std::string path = dir.str() + "/state";
  { StateDir state(path); }
  dir.write("state/sequence", "lots\n");
  const std::string error = runtimeErrorOf([&] { StateDir state(path); });
  EXPECT_NE(error.find(path + "/sequence"), std::string::npos) << error;
}

TEST(StateDirTest, SequenceFileWithTrailingJunkThrows) {
  TempDir dir;
  const std::string path = dir.str() + "/state";
  { StateDir state(path); }
  dir.write("state/sequence", "12abc\n");
  const std::string error = runtimeErrorOf([&] { StateDir state(path); });
  EXPECT_NE(error.find(path + "/sequence"), std::string::npos) << error;
}

TEST(StateDirTest, PathUnderARegularFileThrowsNamingThePath) {
  TempDir dir;
  dir.write("plain-file", "x");
  const std::string path = dir.str() + "/plain-file/state";
  const std::string error = runtimeErrorOf([&] { StateDir state(path); });
  EXPECT_NE(error.find(path), std::string::npos) << error;
}

TEST(StateDirTest, PathThatIsARegularFileThrowsNamingThePath) {
  TempDir dir;
  dir.write("plain-file", "x");
  const std::string path = dir.str() + "/plain-file";
  const std::string error = runtimeErrorOf([&] { StateDir state(path); });
  EXPECT_NE(error.find(path), std::string::npos) << error;
}

}  // namespace
}  // namespace tidemark::agent
