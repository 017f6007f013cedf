#include "controller/cli/import.h"

#include <capnp/message.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace tidemark::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Every chunk sent, flattened to (host|name|labels) -> (timestamps, values).
// A chunk's pieces are views valid only during the send call: kept as copies.
struct SentChunk {
  struct Piece {
    uint32_t series;
    std::vector<int64_t> timestamps_ms;
    std::vector<double> values;
  };
  std::vector<Piece> pieces;
  size_t samples = 0;
};

struct Sent {
  std::vector<SentChunk> chunks;
  std::map<std::string, std::pair<std::vector<int64_t>, std::vector<double>>> series;
};

std::string keyOf(const ImportSeries& s) { return s.host + "|" + formatSeries(s.name, s.labels); }

Sent sendAll(std::string_view text, const ImportPlan& plan, const ImportOptions& options) {
  Sent sent;
  uint64_t total = sendImport(text, plan, options, [&](const ImportChunk& chunk) {
    auto& copy = sent.chunks.emplace_back();
    copy.samples = chunk.samples;
    for (const auto& piece : chunk.pieces) {
      copy.pieces.push_back({piece.series,
                             {piece.timestamps_ms.begin(), piece.timestamps_ms.end()},
                             {piece.values.begin(), piece.values.end()}});
      auto& [ts, values] = sent.series[keyOf(plan.series[piece.series])];
      ts.insert(ts.end(), piece.timestamps_ms.begin(), piece.timestamps_ms.end());
      values.insert(values.end(), piece.values.begin(), piece.values.end());
    }
  });
  size_t counted = 0;
  for (const auto& chunk : sent.chunks) counted += chunk.samples;
  EXPECT_EQ(total, counted);
  return sent;
}

TEST(ImportPlan, HostComesFromHostThenInstanceThenTheFlag) {
  const std::string text =
      "m{host=\"web1\",instance=\"10.0.0.1:9100\",job=\"node\"} 1 1\n"
      "m{instance=\"db1:9100\",job=\"node\"} 2 1\n"
      "m{instance=\"cache1\"} 3 1\n"
      "m{job=\"batch\"} 4 1\n"
      "# EOF\n";
  ImportOptions options;
  options.default_host = "fallback";
  ImportPlan plan = planImport(text, options);
  ASSERT_EQ(plan.error_count, 0u) << plan.errors[0].reason;
  EXPECT_TRUE(plan.saw_eof);
  EXPECT_EQ(plan.samples, 4u);
  EXPECT_EQ(plan.hosts, 4u);
  ASSERT_EQ(plan.series.size(), 4u);
  EXPECT_EQ(keyOf(plan.series[0]), "web1|m{instance=\"10.0.0.1:9100\",job=\"node\"}");
  EXPECT_EQ(keyOf(plan.series[1]), "db1|m{job=\"node\"}");
  EXPECT_EQ(keyOf(plan.series[2]), "cache1|m");
  EXPECT_EQ(keyOf(plan.series[3]), "fallback|m{job=\"batch\"}");
}

TEST(ImportPlan, ReportsEveryBadLineWithItsNumberUpToTheLimit) {
  std::string text = "ok{host=\"a\"} 1 1\n";
  for (int i = 0; i < 30; ++i) text += "bad{ 1 1\n";                   // lines 2..31
  text += "nohost 1 1\n";                                              // 32
  text += "m{host=\"bad host\"} 1 1\n";                                // 33
  text += "m{host=\"a\",b=\"" + std::string(2000, 'x') + "\"} 1 1\n";  // 34
  ImportOptions options;
  options.max_errors = 100;
  ImportPlan plan = planImport(text, options);
  EXPECT_EQ(plan.error_count, 33u);
  ASSERT_EQ(plan.errors.size(), 33u);
  EXPECT_EQ(plan.errors[0].line, 2u);
  EXPECT_EQ(plan.errors[29].line, 31u);
  EXPECT_EQ(plan.errors[30].line, 32u);
  EXPECT_THAT(plan.errors[30].reason, HasSubstr("--host"));
  EXPECT_EQ(plan.errors[31].line, 33u);
  EXPECT_THAT(plan.errors[31].reason, HasSubstr("host label"));
  EXPECT_EQ(plan.errors[32].line, 34u);
  EXPECT_THAT(plan.errors[32].reason, HasSubstr("longer than 1024 bytes"));

  options.max_errors = 20;
  plan = planImport(text, options);
  EXPECT_EQ(plan.error_count, 33u);
  EXPECT_EQ(plan.errors.size(), 20u);
}

TEST(ImportPlan, ABadSeriesIsListedOnceAndCountedOnEveryLine) {
  ImportPlan plan = planImport("m 1 1\nm 2 2\nm 3 3\n", ImportOptions{});
  EXPECT_EQ(plan.error_count, 3u);
  ASSERT_EQ(plan.errors.size(), 1u);
  EXPECT_EQ(plan.errors[0].line, 1u);
}

TEST(ImportSend, GroupsBySeriesSortsAndSplitsIntoBoundedRequests) {
  // Scrape order (every series at each time), one series out of order, a duplicate
  // timestamp (the later line wins), and labels written in two orders.
  const std::string text =
      "a{host=\"h\",x=\"1\",y=\"2\"} 1 10\n"
      "b{host=\"h\"} 10 10\n"
      "a{y=\"2\",x=\"1\",host=\"h\"} 2 20\n"
      "b{host=\"h\"} 30 30\n"
      "b{host=\"h\"} 20 20\n"
      "a{host=\"h\",x=\"1\",y=\"2\"} 3 30\n"
      "a{host=\"h\",x=\"1\",y=\"2\"} 4 30\n"
      "# EOF\n";
  ImportOptions options;
  options.max_samples_per_request = 2;
  ImportPlan plan = planImport(text, options);
  ASSERT_EQ(plan.error_count, 0u);
  ASSERT_EQ(plan.series.size(), 2u);
  EXPECT_EQ(plan.samples, 7u);
  Sent sent = sendAll(text, plan, options);
  for (const auto& chunk : sent.chunks) EXPECT_LE(chunk.samples, 2u);
  auto& a = sent.series["h|a{x=\"1\",y=\"2\"}"];
  EXPECT_THAT(a.first, ElementsAre(10'000, 20'000, 30'000));
  EXPECT_THAT(a.second, ElementsAre(1, 2, 4));
  auto& b = sent.series["h|b"];
  EXPECT_THAT(b.first, ElementsAre(10'000, 20'000, 30'000));
  EXPECT_THAT(b.second, ElementsAre(10, 20, 30));
}

TEST(ImportSend, ASmallBufferStillSendsEverySampleOncePerRequestPerSeries) {
  std::string text;
  for (int t = 1; t <= 50; ++t) {
    for (int s = 0; s < 7; ++s) {
      text += "m{host=\"h\",s=\"" + std::to_string(s) + "\"} " + std::to_string(t * 10 + s) + " " +
              std::to_string(t) + "\n";
    }
  }
  ImportOptions options;
  options.max_samples_per_request = 16;
  options.max_buffered_samples = 40;
  ImportPlan plan = planImport(text, options);
  ASSERT_EQ(plan.error_count, 0u);
  Sent sent = sendAll(text, plan, options);
  size_t total = 0;
  for (const auto& chunk : sent.chunks) {
    EXPECT_LE(chunk.samples, 16u);
    std::set<uint32_t> seen;
    for (const auto& piece : chunk.pieces) {
      EXPECT_TRUE(seen.insert(piece.series).second) << "a series twice in one request";
      EXPECT_TRUE(std::is_sorted(piece.timestamps_ms.begin(), piece.timestamps_ms.end()));
    }
    total += chunk.samples;
  }
  EXPECT_EQ(total, 350u);
  ASSERT_EQ(sent.series.size(), 7u);
  for (const auto& [key, data] : sent.series) {
    ASSERT_EQ(data.first.size(), 50u) << key;
    EXPECT_EQ(data.first.front(), 1000);
    EXPECT_EQ(data.first.back(), 50'000);
  }
}

TEST(ImportSend, RetainedSamplesAndASecondParseSendTheSameChunks) {
  // Runs of one series, series interleaved, a series written with its labels in
  // another order, a duplicate timestamp, and a buffer that flushes mid-run.
  std::string text;
  for (int t = 1; t <= 30; ++t) {
    for (int s = 0; s < 5; ++s) {
      for (int repeat = 0; repeat < 3; ++repeat) {
        text += s == 4 && t % 2 == 0 ? "m{s=\"4\",host=\"h\"} "
                                     : "m{host=\"h\",s=\"" + std::to_string(s) + "\"} ";
        text += std::to_string(t * 100 + s * 10 + repeat) + " " +
                std::to_string(t * 3 + repeat - (t % 7 == 0 ? 9 : 0)) + "\n";
      }
    }
  }
  ImportOptions options;
  options.max_samples_per_request = 16;
  options.max_buffered_samples = 37;
  ImportPlan retained = planImport(text, options);
  ASSERT_EQ(retained.error_count, 0u);
  ASSERT_TRUE(retained.retained);
  EXPECT_EQ(retained.timestamps_ms.size(), 450u);
  EXPECT_EQ(retained.runs.size(), 150u);

  options.max_retained_samples = 100;  // fewer than the file holds: parsed twice
  ImportPlan parsed = planImport(text, options);
  ASSERT_EQ(parsed.error_count, 0u);
  EXPECT_FALSE(parsed.retained);
  EXPECT_TRUE(parsed.timestamps_ms.empty());
  EXPECT_EQ(parsed.samples, retained.samples);

  Sent from_memory = sendAll(text, retained, options);
  Sent from_text = sendAll(text, parsed, options);
  ASSERT_EQ(from_memory.chunks.size(), from_text.chunks.size());
  for (size_t i = 0; i < from_memory.chunks.size(); ++i) {
    const auto& a = from_memory.chunks[i];
    const auto& b = from_text.chunks[i];
    ASSERT_EQ(a.pieces.size(), b.pieces.size()) << "chunk " << i;
    for (size_t j = 0; j < a.pieces.size(); ++j) {
      EXPECT_EQ(a.pieces[j].series, b.pieces[j].series);
      EXPECT_EQ(a.pieces[j].timestamps_ms, b.pieces[j].timestamps_ms);
      EXPECT_EQ(a.pieces[j].values, b.pieces[j].values);
    }
  }
  EXPECT_EQ(from_memory.series, from_text.series);
  EXPECT_EQ(from_memory.series.size(), 5u);
}

// planImport with the file cut in two halves against one pass over it.
void expectSamePlanInTwoHalves(const std::string& text, ImportOptions options) {
  options.parallel_plan_min_bytes = std::numeric_limits<size_t>::max();
  const ImportPlan whole = planImport(text, options);
  options.parallel_plan_min_bytes = 1;
  const ImportPlan halves = planImport(text, options);
  ASSERT_EQ(halves.series.size(), whole.series.size());
  for (size_t i = 0; i < whole.series.size(); ++i) {
    EXPECT_EQ(keyOf(halves.series[i]), keyOf(whole.series[i])) << "series " << i;
  }
  EXPECT_EQ(halves.raw_index, whole.raw_index);
  EXPECT_EQ(halves.samples, whole.samples);
  EXPECT_EQ(halves.hosts, whole.hosts);
  EXPECT_EQ(halves.saw_eof, whole.saw_eof);
  EXPECT_EQ(halves.lines, whole.lines);
  EXPECT_EQ(halves.error_count, whole.error_count);
  ASSERT_EQ(halves.errors.size(), whole.errors.size());
  for (size_t i = 0; i < whole.errors.size(); ++i) {
    EXPECT_EQ(halves.errors[i].line, whole.errors[i].line);
    EXPECT_EQ(halves.errors[i].reason, whole.errors[i].reason);
  }
  EXPECT_EQ(halves.retained, whole.retained);
  ASSERT_EQ(halves.runs.size(), whole.runs.size());
  for (size_t i = 0; i < whole.runs.size(); ++i) {
    EXPECT_EQ(halves.runs[i].series, whole.runs[i].series) << "run " << i;
    EXPECT_EQ(halves.runs[i].count, whole.runs[i].count) << "run " << i;
  }
  EXPECT_EQ(halves.timestamps_ms, whole.timestamps_ms);
  EXPECT_EQ(halves.values, whole.values);
}

TEST(ImportPlan, TwoHalvesOnTwoThreadsPlanAsOnePass) {
  // Series in both halves and in only one, labels in two orders, hosts from three rules.
  std::string text = "# TYPE m gauge\n";
  for (int t = 1; t <= 40; ++t) {
    for (int s = 0; s < 4; ++s) {
      if (s == 3 && t <= 20) continue;  // only in the second half
      if (s == 2 && t > 20) continue;   // only in the first
      text += s == 1 && t % 3 == 0 ? "m{s=\"1\",host=\"h\"} "
                                   : "m{host=\"h\",s=\"" + std::to_string(s) + "\"} ";
      text += std::to_string(t * 10 + s) + " " + std::to_string(t) + "\n";
    }
    text += "n{instance=\"db" + std::to_string(t % 2) + ":9100\"} " + std::to_string(t) + " " +
            std::to_string(t) + "\n";
  }
  const std::string with_eof = text + "# EOF\n";
  ImportOptions options;
  expectSamePlanInTwoHalves(with_eof, options);
  expectSamePlanInTwoHalves(text, options);  // no # EOF
  options.max_retained_samples = 50;         // not retained: pass 2 parses again
  expectSamePlanInTwoHalves(with_eof, options);
}

TEST(ImportPlan, TwoHalvesReportErrorsAsOnePass) {
  // A bad series in both halves (listed once, at its first line), bad lines in each,
  // an early # EOF with content after it, and more errors than are listed.
  std::string text;
  for (int t = 1; t <= 40; ++t) {
    text += "ok{host=\"a\"} 1 " + std::to_string(t) + "\n";
    text += "nohost 1 " + std::to_string(t) + "\n";
    if (t % 7 == 0) text += "bad{ 1 1\n";
  }
  ImportOptions options;
  options.max_errors = 5;
  expectSamePlanInTwoHalves(text, options);
  options.max_errors = 100;
  expectSamePlanInTwoHalves(text, options);
  expectSamePlanInTwoHalves("ok{host=\"a\"} 1 1\n# EOF\n" + text, options);
}

TEST(ImportPlan, KeepsNothingForAFileWithErrors) {
  ImportPlan plan = planImport("m{host=\"a\"} 1 1\nm{host=\"a\"} x 2\n", ImportOptions{});
  EXPECT_EQ(plan.error_count, 1u);
  EXPECT_FALSE(plan.retained);
  EXPECT_TRUE(plan.runs.empty());
}

TEST(ImportSend, FillsTheAdminRequest) {
  const std::string text =
      "m{instance=\"h:1\",b=\"2\",a=\"1\"} 1.5 1.001\n"
      "m{instance=\"h:1\",b=\"2\",a=\"1\"} -2e300 1.002\n"
      "m{instance=\"h:1\",b=\"2\",a=\"1\"} NaN 1.003\n"
      "n{instance=\"h:1\"} 7 5\n"
      "n{instance=\"h:1\"} 6 4\n";  // out of order: sorted before it is sent
  ImportPlan plan = planImport(text, ImportOptions{});
  ASSERT_EQ(plan.error_count, 0u);
  capnp::MallocMessageBuilder message;
  size_t requests = 0;
  sendImport(text, plan, ImportOptions{}, [&](const ImportChunk& chunk) {
    ++requests;
    fillImportRequest(plan, chunk, message.initRoot<schema::ImportRequest>());
  });
  ASSERT_EQ(requests, 1u);
  auto series = message.getRoot<schema::ImportRequest>().asReader().getSeries();
  ASSERT_EQ(series.size(), 2u);
  EXPECT_STREQ(series[0].getHost().cStr(), "h");
  EXPECT_STREQ(series[0].getMetric().cStr(), "m");
  ASSERT_EQ(series[0].getLabels().size(), 2u);
  EXPECT_STREQ(series[0].getLabels()[0].getName().cStr(), "a");
  ASSERT_EQ(series[0].getTimestampsMs().size(), 3u);
  ASSERT_EQ(series[0].getValues().size(), 3u);
  EXPECT_EQ(series[0].getTimestampsMs()[0], 1001);
  EXPECT_EQ(series[0].getTimestampsMs()[2], 1003);
  EXPECT_EQ(series[0].getValues()[0], 1.5);
  EXPECT_EQ(series[0].getValues()[1], -2e300);
  EXPECT_TRUE(std::isnan(series[0].getValues()[2]));
  EXPECT_STREQ(series[1].getMetric().cStr(), "n");
  ASSERT_EQ(series[1].getTimestampsMs().size(), 2u);
  EXPECT_EQ(series[1].getTimestampsMs()[0], 4000);
  EXPECT_EQ(series[1].getTimestampsMs()[1], 5000);
  EXPECT_EQ(series[1].getValues()[0], 6);
  EXPECT_EQ(series[1].getValues()[1], 7);
}

}  // namespace
}  // namespace tidemark::cli
