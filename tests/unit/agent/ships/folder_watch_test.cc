#include "agent/ships/folder_watch.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::TempDir;

class FolderWatchTest : public ::testing::Test {
 protected:
  FolderWatchTest() : folder(dir.str() + "/folder") { std::filesystem::create_directories(folder); }

  // Adds `path` and expects a watch.
  int add(FolderWatch& watch, const std::string& path) {
    int error = 0;
    const int id = watch.add(path, error);
    EXPECT_NE(id, FolderWatch::kNoWatch) << path << ": errno " << error;
    return id;
  }
  // Whether `id` changed since `seen`, which is brought up to date.
  static bool changed(FolderWatch& watch, int id, uint64_t& seen) {
    EXPECT_EQ(watch.poll(), 0);
    const uint64_t now = watch.generation(id);
    const bool moved = now != seen;
    seen = now;
    return moved;
  }

  TempDir dir;
  std::string folder;
};

TEST_F(FolderWatchTest, AWatchedFileChangesWithWritesTruncationAttributesAndLinks) {
  FolderWatch watch;
  ASSERT_TRUE(watch.available()) << watch.why();
  const std::string file = folder + "/data.mdb";
  std::ofstream(file) << "x";
  int error = 0;
  const int id = watch.add(file, error, FolderWatch::Target::kFileContent);
  ASSERT_NE(id, FolderWatch::kNoWatch) << "errno " << error;
  uint64_t seen = watch.generation(id);
  EXPECT_FALSE(changed(watch, id, seen));

  std::ofstream(file, std::ios::app) << "more";
  EXPECT_TRUE(changed(watch, id, seen));
  EXPECT_FALSE(changed(watch, id, seen));
  std::filesystem::resize_file(file, 1);
  EXPECT_TRUE(changed(watch, id, seen));
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  EXPECT_TRUE(changed(watch, id, seen));
  // A sibling written, or created, is not this file's change.
  std::ofstream(folder + "/lock.mdb") << "y";
  EXPECT_FALSE(changed(watch, id, seen));
  // Renamed over: the watched file loses its last link (and then the watch).
  std::ofstream(folder + "/data.mdb.new") << "new";
  std::filesystem::rename(folder + "/data.mdb.new", file);
  EXPECT_EQ(watch.poll(), 0);
  EXPECT_TRUE(watch.generation(id) == FolderWatch::kGone || watch.generation(id) != seen);
}

TEST_F(FolderWatchTest, EntriesCreatedRemovedOrRenamedAndTouchesAreChanges) {
  FolderWatch watch;
  ASSERT_TRUE(watch.available()) << watch.why();
  const int id = add(watch, folder);
  uint64_t seen = watch.generation(id);
  EXPECT_FALSE(changed(watch, id, seen));

  std::ofstream(folder + "/data.mdb") << "x";
  EXPECT_TRUE(changed(watch, id, seen));
  EXPECT_FALSE(changed(watch, id, seen));

  std::filesystem::rename(folder + "/data.mdb", folder + "/moved.mdb");
  EXPECT_TRUE(changed(watch, id, seen));
  std::filesystem::create_directory(folder + "/0i100");
  EXPECT_TRUE(changed(watch, id, seen));
  std::filesystem::remove(folder + "/0i100");
  EXPECT_TRUE(changed(watch, id, seen));
  // The folder's own mtime set by hand, as `touch` does.
  ASSERT_EQ(::utimensat(AT_FDCWD, folder.c_str(), nullptr, 0), 0);
  EXPECT_TRUE(changed(watch, id, seen));
}

TEST_F(FolderWatchTest, WritesAndAttributesOfFilesInsideAreNotChanges) {
  std::ofstream(folder + "/image.bin") << "snapshot";
  FolderWatch watch;
  ASSERT_TRUE(watch.available()) << watch.why();
  const int id = add(watch, folder);
  uint64_t seen = watch.generation(id);
  std::ofstream(folder + "/image.bin", std::ios::app) << std::string(100'000, 's');
  ASSERT_EQ(::utimensat(AT_FDCWD, (folder + "/image.bin").c_str(), nullptr, 0), 0);
  ASSERT_EQ(::chmod((folder + "/image.bin").c_str(), 0600), 0);
  EXPECT_FALSE(changed(watch, id, seen));
  // Nor are changes one level further down (a new file in an epoch folder).
  std::filesystem::create_directory(folder + "/0i1");
  EXPECT_TRUE(changed(watch, id, seen));
  std::ofstream(folder + "/0i1/data.mdb") << "events";
  EXPECT_FALSE(changed(watch, id, seen));
}

TEST_F(FolderWatchTest, ManyEventsAreAllReadAndCountOnce) {
  FolderWatch watch;
  ASSERT_TRUE(watch.available()) << watch.why();
  const int id = add(watch, folder);
  uint64_t seen = watch.generation(id);
  // More events than one read's buffer holds.
  for (int i = 0; i < 500; ++i)
    std::ofstream(folder + "/a-rather-long-file-name-for-the-buffer-" + std::to_string(i)) << i;
  EXPECT_TRUE(changed(watch, id, seen));
  EXPECT_EQ(watch.poll(), 0);
  EXPECT_EQ(watch.generation(id), seen);
}

TEST_F(FolderWatchTest, ADeletedFolderIsGone) {
  FolderWatch watch;
  ASSERT_TRUE(watch.available()) << watch.why();
  const int id = add(watch, folder);
  std::filesystem::remove(folder);
  EXPECT_EQ(watch.poll(), 0);
  EXPECT_EQ(watch.generation(id), FolderWatch::kGone);
  watch.release(id);
  EXPECT_EQ(watch.watches(), 0u);
}

TEST_F(FolderWatchTest, TheSameFolderSharesOneWatchUntilTheLastRelease) {
  FolderWatch watch;
  ASSERT_TRUE(watch.available()) << watch.why();
  const int first = add(watch, folder);
  const int second = add(watch, folder);
  EXPECT_EQ(first, second);
  EXPECT_EQ(watch.watches(), 1u);
  uint64_t seen_by_first = watch.generation(first);
  uint64_t seen_by_second = watch.generation(second);
  std::ofstream(folder + "/new") << "x";
  // Both see the change: generations are compared, not consumed.
  EXPECT_TRUE(changed(watch, first, seen_by_first));
  EXPECT_TRUE(changed(watch, second, seen_by_second));
  watch.release(first);
  EXPECT_NE(watch.generation(second), FolderWatch::kGone);
  watch.release(second);
  EXPECT_EQ(watch.generation(second), FolderWatch::kGone);
  EXPECT_EQ(watch.watches(), 0u);
  watch.release(FolderWatch::kNoWatch);  // ignored
}

TEST_F(FolderWatchTest, TheWatchLimitAndMissingFoldersAnswerNoWatch) {
  std::filesystem::create_directories(dir.str() + "/other");
  FolderWatch watch(/*max_watches=*/1);
  ASSERT_TRUE(watch.available()) << watch.why();
  add(watch, folder);
  int error = 0;
  EXPECT_EQ(watch.add(dir.str() + "/other", error), FolderWatch::kNoWatch);
  EXPECT_EQ(error, ENOSPC);
  EXPECT_EQ(watch.add(dir.str() + "/missing", error), FolderWatch::kNoWatch);
  EXPECT_EQ(error, ENOENT);
  std::ofstream(dir.str() + "/file") << "x";
  EXPECT_EQ(watch.add(dir.str() + "/file", error), FolderWatch::kNoWatch);
  EXPECT_EQ(error, ENOTDIR);
  EXPECT_EQ(watch.watches(), 1u);
}

}  // namespace
}  // namespace tidemark::agent
