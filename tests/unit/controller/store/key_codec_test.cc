#include "controller/store/key_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace tidemark::controller::keys {
namespace {

TEST(KeyCodecTest, U64IsBigEndian) {
  std::string out;
  appendU64(out, 0x0102030405060708ull);
  ASSERT_EQ(out.size(), 8u);
  EXPECT_EQ(out, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(readU64(out), 0x0102030405060708ull);
  std::string max;
  appendU64(max, UINT64_MAX);
  EXPECT_EQ(readU64(max), UINT64_MAX);
}

TEST(KeyCodecTest, U32IsBigEndian) {
  std::string out;
  appendU32(out, 0xA1B2C3D4u);
  EXPECT_EQ(out, std::string("\xA1\xB2\xC3\xD4", 4));
}

TEST(KeyCodecTest, ReadU64UsesFirstEightBytes) {
  std::string bytes;
  appendU64(bytes, 77);
  bytes += "trailing";
  EXPECT_EQ(readU64(bytes), 77u);
}

TEST(KeyCodecTest, TimestampRoundTrip) {
  for (int64_t ms : {std::numeric_limits<int64_t>::min(), int64_t{-1'700'000'000'000}, int64_t{-1},
                     int64_t{0}, int64_t{1}, int64_t{1'700'000'000'000},
                     std::numeric_limits<int64_t>::max()}) {
    std::string out;
    appendTimestamp(out, ms);
    ASSERT_EQ(out.size(), 8u);
    EXPECT_EQ(readTimestamp(out), ms);
  }
}

TEST(KeyCodecTest, SeriesKeyRoundTrip) {
  Labels labels{{"cpu", "0"}, {"mode", "idle"}};
  std::string key = seriesKey("web-01", "node_cpu_seconds_total", labels);
  std::string host, name;
  Labels parsed;
  ASSERT_TRUE(parseSeriesKey(key, host, name, parsed));
  EXPECT_EQ(host, "web-01");
  EXPECT_EQ(name, "node_cpu_seconds_total");
  EXPECT_EQ(parsed, labels);
}

TEST(KeyCodecTest, SeriesKeyRoundTripWithNulAndUnicodeInLabels) {
  Labels labels{{"a", std::string("x\0y", 3)},
                {"b", "ünïcødé ✓ 日本"},
                {"c", ""},
                {"d", std::string("\0\0\0", 3)},
                {"e", std::string(300, 'z')}};  // length needs a two-byte varint
  std::string key = seriesKey("h", "m", labels);
  std::string host, name;
  Labels parsed;
  ASSERT_TRUE(parseSeriesKey(key, host, name, parsed));
  EXPECT_EQ(host, "h");
  EXPECT_EQ(name, "m");
  EXPECT_EQ(parsed, labels);
}

TEST(KeyCodecTest, SeriesKeyWithoutLabels) {
  std::string host, name;
  Labels parsed{{"stale", "x"}};
  ASSERT_TRUE(parseSeriesKey(seriesKey("h1", "up", {}), host, name, parsed));
  EXPECT_EQ(host, "h1");
  EXPECT_EQ(name, "up");
  EXPECT_TRUE(parsed.empty());
}

TEST(KeyCodecTest, SeriesKeyWithEmptyHost) {
  std::string host = "x", name;
  Labels parsed;
  ASSERT_TRUE(parseSeriesKey(seriesKey("", "up", {{"a", "b"}}), host, name, parsed));
  EXPECT_EQ(host, "");
  EXPECT_EQ(name, "up");
  EXPECT_EQ(parsed, (Labels{{"a", "b"}}));
}

TEST(KeyCodecTest, DistinctSeriesHaveDistinctKeys) {
  // Splitting the same characters differently between name and value must not collide.
  EXPECT_NE(seriesKey("h", "m", {{"ab", "c"}}), seriesKey("h", "m", {{"a", "bc"}}));
  EXPECT_NE(seriesKey("h", "m", {{"a", "b"}}), seriesKey("h", "m", {{"a", "b"}, {"c", ""}}));
  EXPECT_NE(seriesKey("h1", "m", {}), seriesKey("h", "m1", {}));
}

TEST(KeyCodecTest, PrefixSelectsNameThenHost) {
  std::string key = seriesKey("web", "cpu", {{"a", "b"}});
  EXPECT_TRUE(key.starts_with(seriesKeyPrefix("cpu", "web")));
  EXPECT_TRUE(key.starts_with(seriesKeyPrefix("cpu", "")));
  EXPECT_FALSE(key.starts_with(seriesKeyPrefix("cpu", "we")));
  EXPECT_FALSE(key.starts_with(seriesKeyPrefix("cp", "")));
  EXPECT_FALSE(seriesKey("web", "cpu_total", {}).starts_with(seriesKeyPrefix("cpu", "")));
  EXPECT_FALSE(seriesKey("web2", "cpu", {}).starts_with(seriesKeyPrefix("cpu", "web")));
}

TEST(KeyCodecTest, ParseRejectsNonSeriesKeys) {
  std::string host, name;
  Labels labels;
  EXPECT_FALSE(parseSeriesKey("", host, name, labels));
  EXPECT_FALSE(parseSeriesKey("xname", host, name, labels));
  EXPECT_FALSE(parseSeriesKey("kname-without-nul", host, name, labels));
  EXPECT_FALSE(parseSeriesKey(std::string("kname\0host-without-nul", 22), host, name, labels));
  // A label whose length runs past the end.
  std::string truncated = seriesKey("h", "m", {{"name", "value"}});
  truncated.pop_back();
  EXPECT_FALSE(parseSeriesKey(truncated, host, name, labels));
  // A label name without a value.
  std::string dangling = seriesKey("h", "m", {});
  dangling += '\x01';
  dangling += 'a';
  EXPECT_FALSE(parseSeriesKey(dangling, host, name, labels));
  // A varint that never ends.
  std::string endless = seriesKey("h", "m", {});
  endless += std::string(6, '\xff');
  EXPECT_FALSE(parseSeriesKey(endless, host, name, labels));
  // The reverse-index key ("i" + id) is not a series key.
  std::string reverse = "i";
  appendU64(reverse, 5);
  EXPECT_FALSE(parseSeriesKey(reverse, host, name, labels));
}

TEST(KeyCodecTest, ChunkKeyLayout) {
  std::string key = chunkKey(0x0102, 0, 7);
  ASSERT_EQ(key.size(), 24u);
  EXPECT_EQ(readU64(key), 0x0102u);
  EXPECT_EQ(readTimestamp(std::string_view(key).substr(8)), 0);
  EXPECT_EQ(readU64(std::string_view(key).substr(16)), 7u);
  EXPECT_EQ(seriesTimeKey(0x0102, 0), key.substr(0, 16));
}

TEST(KeyCodecTest, SeriesTimeKeyOrderMatchesNumericOrder) {
  std::vector<int64_t> timestamps = {std::numeric_limits<int64_t>::min(),
                                     -1'700'000'000'000,
                                     -256,
                                     -255,
                                     -1,
                                     0,
                                     1,
                                     255,
                                     256,
                                     1'700'000'000'000,
                                     std::numeric_limits<int64_t>::max()};
  std::mt19937_64 random(11);
  for (int i = 0; i < 200; ++i) timestamps.push_back(static_cast<int64_t>(random()));
  std::vector<std::pair<uint64_t, int64_t>> entries;
  for (uint64_t id : {uint64_t{1}, uint64_t{2}, uint64_t{255}, uint64_t{256}, UINT64_MAX})
    for (int64_t ts : timestamps) entries.emplace_back(id, ts);

  for (size_t i = 0; i < entries.size(); ++i) {
    for (size_t j = 0; j < entries.size(); j += 7) {
      const auto& a = entries[i];
      const auto& b = entries[j];
      EXPECT_EQ(seriesTimeKey(a.first, a.second) < seriesTimeKey(b.first, b.second), a < b)
          << a.first << "/" << a.second << " vs " << b.first << "/" << b.second;
    }
  }
  // And a sort by key equals a sort by (id, timestamp).
  auto by_key = entries;
  std::sort(by_key.begin(), by_key.end(), [](const auto& a, const auto& b) {
    return seriesTimeKey(a.first, a.second) < seriesTimeKey(b.first, b.second);
  });
  auto by_number = entries;
  std::sort(by_number.begin(), by_number.end());
  EXPECT_EQ(by_key, by_number);
}

TEST(KeyCodecTest, AgentSeriesKeyIsDistinctPerHostEpochAndId) {
  std::string key = agentSeriesKey("web", 7, 3);
  EXPECT_EQ(key.size(), 3u + 1 + 8 + 4);
  EXPECT_TRUE(key.starts_with(std::string("web\0", 4)));
  EXPECT_NE(key, agentSeriesKey("web", 7, 4));
  EXPECT_NE(key, agentSeriesKey("web", 8, 3));
  EXPECT_NE(key, agentSeriesKey("web2", 7, 3));
  EXPECT_EQ(key, agentSeriesKey("web", 7, 3));
}

}  // namespace
}  // namespace tidemark::controller::keys
