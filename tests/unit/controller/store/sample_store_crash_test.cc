// Crash safety of the engine: a child process writes commits (each a burst of samples
// for many series, as the ingest thread does) and reports each commit once it has
// returned, which is when the controller acks. The parent SIGKILLs it at a random
// moment, reopens the store and checks that every acknowledged sample is there
// exactly once, for several kill points.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "controller/store/sample_store.h"
#include "controller/store/chunk/chunk_codec.h"
#include "controller/store/head_log.h"
#include "controller/store/key_codec.h"
#include <rocksdb/db.h>
#include <iostream>
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
  return options;
}

// Commit c holds, for every series s, the sample (kStart + c * 1000, c * 100 + s) plus,
// every 7th commit, a late sample (kStart + c * 1000 - 500, -c).
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
      store->appendSample(writes, ids[s], kStart + static_cast<int64_t>(c) * 1000,
                          static_cast<double>(c * 100 + s));
      if (c % 7 == 0) {
        store->appendSample(writes, ids[s], kStart + static_cast<int64_t>(c) * 1000 - 500,
                            -static_cast<double>(c));
      }
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
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + random() % 700));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer failed by itself, status " << status;
    uint64_t c = 0;
    while (::read(fds[0], &c, sizeof c) == sizeof c) acked_through = c;
    ::close(fds[0]);
    ASSERT_GT(acked_through, 0u) << "round " << round << ": nothing committed before the kill";

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
      for (uint64_t commit = 1; commit <= acked_through; ++commit) {
        const int64_t ts = kStart + static_cast<int64_t>(commit) * 1000;
        auto it = seen.find(ts);
        if (it == seen.end()) {
          std::string around;
          for (auto near = seen.lower_bound(ts - 5000); near != seen.end() && near->first < ts + 5000; ++near) {
            around += " " + std::to_string((near->first - kStart)) + "=" + std::to_string(near->second);
          }
          ADD_FAILURE() << "around:" << around;
          store.reset();
          std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
          for (const char* n : {"default", "series", "chunks", "head_log", "head_meta", "rollups", "hosts", "agent_series"}) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
          std::vector<rocksdb::ColumnFamilyHandle*> hs;
          rocksdb::DB* db = nullptr;
          auto st = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, cfs, &hs, &db);
          std::cerr << "open " << st.ToString() << "\n";
          std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), hs[2]));
          for (it->SeekToFirst(); it->Valid(); it->Next()) {
            auto k = it->key().ToStringView();
            if (keys::readU64(k) != 1) continue;
            auto h = chunk::readChunkHeader(it->value().ToStringView());
            std::cerr << "chunk start " << (keys::readTimestamp(k.substr(8,8)) - kStart) << " uniq " << keys::readU64(k.substr(16)) << " n " << h.count << " first " << (h.first_timestamp_ms - kStart) << " last " << (h.last_timestamp_ms - kStart) << "\n";
          }
          std::unique_ptr<rocksdb::Iterator> lg(db->NewIterator(rocksdb::ReadOptions(), hs[3]));
          for (lg->SeekToFirst(); lg->Valid(); lg->Next()) {
            std::vector<HeadLogRun> runs;
            decodeHeadLogRecord(lg->value().ToStringView(), runs);
            for (auto& r : runs) if (r.series_id == 1) { std::cerr << "log " << keys::readU64(lg->key().ToStringView()) << ":"; for (auto t : r.timestamps_ms) std::cerr << " " << (t - kStart); std::cerr << "\n"; }
          }
          std::string v; db->Get(rocksdb::ReadOptions(), hs[4], [] { std::string x; keys::appendU64(x, 1); return x; }(), &v);
          std::cerr << "meta " << (v.size() == 8 ? keys::readTimestamp(v) - kStart : -1) << "\n";
          FAIL();
        }
        ASSERT_NE(it, seen.end()) << "round " << round << " series " << s << " lost commit " << commit
                                  << " of " << acked_through;
        EXPECT_EQ(it->second, static_cast<double>(commit * 100 + s));
        if (commit % 7 == 0) {
          auto late = seen.find(ts - 500);
          ASSERT_NE(late, seen.end()) << "lost the late sample of commit " << commit;
          EXPECT_EQ(late->second, -static_cast<double>(commit));
        }
      }
      // Anything beyond is a commit that finished but was not reported yet: at most one.
      for (const auto& [ts, value] : seen) {
        EXPECT_LE(ts, kStart + static_cast<int64_t>(acked_through + 1) * 1000);
      }
    }
    // The next round starts after whatever the killed commit may have written.
    acked_through += 1;
  }
}

}  // namespace
}  // namespace tidemark::controller
