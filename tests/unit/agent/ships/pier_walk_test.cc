#include "agent/ships/pier_walk.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>

#include "agent/io/plain_file_reader.h"
#include "agent/io/plain_read_batch.h"
#include "tests/support/standin_ship.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::makeStandinPier;
using tidemark::testing::StandinPierOptions;
using tidemark::testing::TempDir;

// What `du`-style accounting gives for the whole tree: every entry's st_blocks * 512.
uint64_t allocatedUnder(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) == 0) total += static_cast<uint64_t>(st.st_blocks) * 512;
  }
  return total;
}

void appendBytes(const std::string& path, size_t bytes) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << std::string(bytes, 'e');
}

class PierWalkTest : public ::testing::Test {
 protected:
  PierWalkTest() : reader(""), batch(""), log(clock), walker(reader, batch, log) {}
  TempDir dir;
  PlainFileReader reader;
  PlainReadBatch batch;
  ManualClock clock;
  ThrottledLog log;
  PierWalker walker;
};

TEST_F(PierWalkTest, FourXPierWithEpochs) {
  const std::string pier = dir.str() + "/sampel-palnet";
  makeStandinPier(pier, {.epochs = 3, .log_bytes = 100'000, .image_bytes = 50'000});
  std::vector<PierSize> sizes;
  walker.walk({pier}, sizes);
  ASSERT_EQ(sizes.size(), 1u);
  const PierSize& size = sizes[0];
  EXPECT_TRUE(size.walked);
  EXPECT_EQ(size.epochs, 3u);
  EXPECT_EQ(size.event_log_bytes, 300'000u);
  EXPECT_EQ(size.newest_epoch_bytes, 100'000u);
  EXPECT_EQ(size.snapshot_bytes, 50'000u);
  EXPECT_EQ(size.allocated_bytes, allocatedUnder(pier));
  // Tracked: the newest epoch's log (0i2000) and the image.
  ASSERT_EQ(size.tracked.size(), 2u);
  bool newest_found = false;
  for (const auto& file : size.tracked)
    newest_found |= file.path == pier + "/.urb/log/0i2000/data.mdb";
  EXPECT_TRUE(newest_found);
}

TEST_F(PierWalkTest, OldStylePier) {
  const std::string pier = dir.str() + "/zod";
  makeStandinPier(pier, {.log_bytes = 70'000, .image_bytes = 40'000, .old_style = true});
  std::vector<PierSize> sizes;
  walker.walk({pier}, sizes);
  EXPECT_EQ(sizes[0].epochs, 0u);
  EXPECT_EQ(sizes[0].event_log_bytes, 70'000u);
  EXPECT_EQ(sizes[0].newest_epoch_bytes, 0u);
  EXPECT_EQ(sizes[0].snapshot_bytes, 40'000u);  // north.bin + south.bin
  EXPECT_EQ(sizes[0].allocated_bytes, allocatedUnder(pier));
}

TEST_F(PierWalkTest, CheapUpdateMatchesAFreshWalkAfterGrowth) {
  const std::string pier = dir.str() + "/nec";
  makeStandinPier(pier, {.epochs = 2, .log_bytes = 64 * 1024, .image_bytes = 64 * 1024});
  std::vector<PierSize> sizes;
  walker.walk({pier}, sizes);
  const PierSize walked = sizes[0];

  // The ship appends events and saves a smaller snapshot (after a pack).
  appendBytes(pier + "/.urb/log/0i1000/data.mdb", 300'000);
  std::filesystem::resize_file(pier + "/.urb/chk/image.bin", 16 * 1024);

  std::vector<StatSlot> fresh(walked.tracked.size());
  for (size_t i = 0; i < walked.tracked.size(); ++i)
    batch.queueStat(walked.tracked[i].path, fresh[i]);
  batch.submit();
  const PierSizeNow cheap = applyCheap(walked, fresh);

  walker.walk({pier}, sizes);
  EXPECT_EQ(cheap.allocated_bytes, sizes[0].allocated_bytes);
  EXPECT_EQ(cheap.event_log_bytes, sizes[0].event_log_bytes);
  EXPECT_EQ(cheap.newest_epoch_bytes, 64u * 1024 + 300'000);
  EXPECT_EQ(cheap.snapshot_bytes, 16u * 1024);
  EXPECT_GT(cheap.allocated_bytes, walked.allocated_bytes);
}

// Refuses to list chosen folders, as permissions would for an unprivileged agent
// (tests may run as root, where chmod does not bite).
class RefusingReader final : public FileReader {
 public:
  explicit RefusingReader(FileReader& inner) : inner_(inner) {}
  int read(std::string_view path, std::string& out) override { return inner_.read(path, out); }
  int listDirectory(std::string_view path, std::vector<std::string>& names) override {
    if (refused.contains(std::string(path))) return EACCES;
    return inner_.listDirectory(path, names);
  }
  int listDirectoryEntries(std::string_view path, std::vector<DirectoryEntry>& entries) override {
    if (refused.contains(std::string(path))) return EACCES;
    return inner_.listDirectoryEntries(path, entries);
  }
  const std::string& root() const override { return inner_.root(); }
  std::set<std::string> refused;

 private:
  FileReader& inner_;
};

TEST_F(PierWalkTest, RefusedFoldersAreLeftOutAndLogged) {
  const std::string pier = dir.str() + "/refused";
  makeStandinPier(pier, {.epochs = 2, .log_bytes = 10'000, .image_bytes = 5'000});
  RefusingReader refusing(reader);
  refusing.refused = {pier + "/.urb/log", dir.str() + "/refused-root"};
  PierWalker refused_walker(refusing, batch, log);
  tidemark::testing::LogCapture capture;
  std::vector<PierSize> sizes;
  refused_walker.walk({pier, dir.str() + "/refused-root"}, sizes);
  EXPECT_TRUE(sizes[0].walked);
  EXPECT_EQ(sizes[0].epochs, 0u);
  EXPECT_EQ(sizes[0].event_log_bytes, 0u);
  EXPECT_EQ(sizes[0].snapshot_bytes, 5'000u);  // the rest of the pier is still measured
  EXPECT_FALSE(sizes[1].walked);
  EXPECT_EQ(capture.count("Permission denied"), 2u);
}

TEST_F(PierWalkTest, MissingAndUnreadablePiersDoNotStopOthers) {
  const std::string good = dir.str() + "/good";
  makeStandinPier(good);
  const std::string locked = dir.str() + "/locked";
  makeStandinPier(locked);
  std::filesystem::permissions(locked + "/.urb/log", std::filesystem::perms::none);
  std::vector<PierSize> sizes;
  walker.walk({dir.str() + "/missing", good, locked}, sizes);
  std::filesystem::permissions(locked + "/.urb/log", std::filesystem::perms::owner_all);
  EXPECT_FALSE(sizes[0].walked);
  EXPECT_TRUE(sizes[1].walked);
  EXPECT_EQ(sizes[1].epochs, 1u);
  EXPECT_TRUE(sizes[2].walked);
  // As root the permissions do not bite; either way the walk finished.
  if (::geteuid() != 0) {
    EXPECT_EQ(sizes[2].event_log_bytes, 0u);
  }
}

}  // namespace
}  // namespace tidemark::agent
