// Crash safety of the engine: a child process writes commits (each a burst of samples
// for many series, as the ingest thread does) and reports each commit once it has
// returned, which is when the controller acks. The parent SIGKILLs it at a random
// moment, reopens the store and checks that every acknowledged sample is there
// exactly once, for several kill points, with head flushes and head-log cuts going
// on all the time.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "controller/store/sample_store.h"
#include "tests/support/test_support.h"

namespace tidemark::controller {
namespace {

using tidemark::testing::TempDir;

constexpr int64_t kStart = 1'700'000'000'000;
constexpr int kSeries = 50;

StoreOptions crashOptions(const std::string& path) {
  StoreOptions options;
  options.path = path;
  options.sync_writes = true;
  options.raw_retention_ms = 0;
  options.chunk_samples = 16;           // many seals
  options.head_flush_interval_ms = 50;  // and many head flushes and log cuts
  return options;
}

int64_t timestampOf(uint64_t commit) { return kStart + static_cast<int64_t>(commit) * 1000; }

// Commit c holds, for every series s, the sample (timestampOf(c), c * 100 + s) plus,
// every 7th commit, a late sample (timestampOf(c) - 500, -c).
[[noreturn]] void writeUntilKilled(const std::string& path, int report_fd, uint64_t first_commit) {
  auto store = SampleStore::open(crashOptions(path));
  std::vector<uint64_t> ids;
  {
    WriteSet writes = store->beginWrite();
    for (int s = 0; s < kSeries; ++s) {
      ids.push_back(store->resolveSeries(writes, "h", "m", {{"s", std::to_string(s)}}));
    }
    if (!store->commit(writes).empty()) _exit(2);
  }
  for (uint64_t c = first_commit;; ++c) {
    WriteSet writes = store->beginWrite();
    for (int s = 0; s < kSeries; ++s) {
      store->appendSample(writes, ids[s], timestampOf(c), static_cast<double>(c * 100 + s));
      if (c % 7 == 0) store->appendSample(writes, ids[s], timestampOf(c) - 500, -static_cast<double>(c));
    }
    if (!store->commit(writes).empty()) _exit(3);
    if (::write(report_fd, &c, sizeof c) != sizeof c) _exit(4);
  }
}

TEST(SampleStoreCrashTest, SigkillAtRandomMomentsLosesNoAcknowledgedSampleAndDuplicatesNone) {
  TempDir dir;
  const std::string path = (dir.path() / "db").string();
  std::mt19937 random(7);
  uint64_t acked_through = 0;
  // The commit each kill may have interrupted: durable or not, never acknowledged.
  std::set<uint64_t> unknown;
  for (int round = 0; round < 4; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(fds[0]);
      writeUntilKilled(path, fds[1], acked_through + 1);
    }
    ::close(fds[1]);
    // The kill comes at a random moment of ingest, after the first acknowledged commit
    // of the round: opening the store (head replay) can take longer than the wait on
    // a loaded machine, and a kill during open tests nothing here.
    const uint64_t before = acked_through;
    uint64_t c = 0;
    if (::read(fds[0], &c, sizeof c) == sizeof c) acked_through = c;
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 700));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer failed by itself, status " << status;
    while (::read(fds[0], &c, sizeof c) == sizeof c) acked_through = c;
    ::close(fds[0]);
    ASSERT_GT(acked_through, before) << "round " << round << ": nothing committed before the kill";
    unknown.insert(acked_through + 1);

    auto store = SampleStore::open(crashOptions(path));
    SeriesQuery query;
    query.metric = "m";
    query.since_ms = INT64_MIN;
    auto results = store->query(query);
    ASSERT_EQ(results.size(), static_cast<size_t>(kSeries));
    for (const auto& series : results) {
      const int s = std::stoi(series.labels[0].value);
      std::map<int64_t, double> seen;
      for (size_t i = 0; i < series.timestamps_ms.size(); ++i) {
        ASSERT_TRUE(seen.emplace(series.timestamps_ms[i], series.values[i]).second)
            << "duplicate timestamp " << series.timestamps_ms[i];
      }
      for (uint64_t commit = 1; commit <= acked_through + 1; ++commit) {
        auto it = seen.find(timestampOf(commit));
        if (unknown.count(commit) && it == seen.end()) continue;
        ASSERT_NE(it, seen.end()) << "round " << round << " series " << s << " lost commit "
                                  << commit << " of " << acked_through;
        EXPECT_EQ(it->second, static_cast<double>(commit * 100 + s));
        if (commit % 7 == 0) {
          auto late = seen.find(timestampOf(commit) - 500);
          ASSERT_NE(late, seen.end()) << "lost the late sample of commit " << commit;
          EXPECT_EQ(late->second, -static_cast<double>(commit));
        }
      }
      for (const auto& [ts, value] : seen) {
        EXPECT_LE(ts, timestampOf(acked_through + 1)) << "a sample no commit wrote";
      }
    }
    // The next child starts after the commit the kill may have interrupted.
    acked_through += 1;
  }
}

}  // namespace
}  // namespace tidemark::controller
