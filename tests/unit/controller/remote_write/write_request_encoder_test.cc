#include "controller/remote_write/write_request_encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "controller/remote_write/export_record.h"
#include "tests/unit/controller/remote_write/prompb_decoder.h"

namespace tidemark::controller::remote_write {
namespace {

using testing::decodeWriteRequest;

TEST(RemoteWriteEncoderTest, TinyRequestIsByteExact) {
  WriteRequestEncoder encoder;
  const LabelView labels[] = {{"__name__", "up"}, {"host", "a"}};
  const int64_t timestamps[] = {1000};
  const double values[] = {1.0};
  encoder.addSeries(labels, timestamps, values);
  const std::string expected(
      "\x0A\x29"          // WriteRequest.timeseries (1, LEN), 41 bytes
      "\x0A\x0E"          // TimeSeries.labels (1, LEN), 14 bytes
      "\x0A\x08__name__"  // Label.name (1, LEN)
      "\x12\x02up"        // Label.value (2, LEN)
      "\x0A\x09"          // TimeSeries.labels, 9 bytes
      "\x0A\x04host\x12\x01"
      "a"
      "\x12\x0C"                              // TimeSeries.samples (2, LEN), 12 bytes
      "\x09\x00\x00\x00\x00\x00\x00\xF0\x3F"  // Sample.value (1, I64): 1.0
      "\x10\xE8\x07",                         // Sample.timestamp (2, VARINT): 1000
      43);
  EXPECT_EQ(encoder.bytes(), expected);
}

TEST(RemoteWriteEncoderTest, DecodesBackExactly) {
  WriteRequestEncoder encoder;
  const std::string long_value(300, 'x');  // a two-byte length prefix
  const LabelView first[] = {{"__name__", "node_load1"}, {"host", "web1"}, {"job", long_value}};
  const int64_t ts1[] = {1'700'000'000'000, 1'700'000'010'001, -5};
  const double v1[] = {0.52, std::numeric_limits<double>::infinity(), -0.0};
  encoder.addSeries(first, ts1, v1);
  const LabelView second[] = {{"__name__", "x"}, {"host", "db1"}};
  const int64_t ts2[] = {0};
  const double v2[] = {std::nan("")};
  encoder.addSeries(second, ts2, v2);

  const auto decoded = decodeWriteRequest(encoder.bytes());
  ASSERT_EQ(decoded.size(), 2u);
  ASSERT_EQ(decoded[0].labels.size(), 3u);
  EXPECT_EQ(decoded[0].labels[0], (std::pair<std::string, std::string>{"__name__", "node_load1"}));
  EXPECT_EQ(decoded[0].labels[2].second, long_value);
  ASSERT_EQ(decoded[0].samples.size(), 3u);
  EXPECT_EQ(decoded[0].samples[0].timestamp_ms, 1'700'000'000'000);
  EXPECT_EQ(decoded[0].samples[0].value, 0.52);
  EXPECT_TRUE(std::isinf(decoded[0].samples[1].value));
  EXPECT_EQ(decoded[0].samples[2].timestamp_ms, -5);  // ten-byte varint
  EXPECT_TRUE(std::signbit(decoded[0].samples[2].value));
  EXPECT_EQ(decoded[1].labels[1].second, "db1");
  EXPECT_TRUE(std::isnan(decoded[1].samples[0].value));

  // clear() starts a new request.
  encoder.clear();
  encoder.addSeries(second, ts2, v2);
  EXPECT_EQ(decodeWriteRequest(encoder.bytes()).size(), 1u);
}

TEST(RemoteWriteEncoderTest, ExportLabelsAreSortedWithNameAndHost) {
  std::vector<LabelView> out;
  const Labels labels = {{"mode", "idle"}, {"cpu", "0"}, {"host", "ignored"}, {"Zone", "z"}};
  exportLabels("web1", "node_cpu_seconds_total", labels, out);
  ASSERT_EQ(out.size(), 5u);
  // Byte-wise order: upper case sorts before '_', '_' before lower case.
  EXPECT_EQ(out[0].name, "Zone");
  EXPECT_EQ(out[1].name, "__name__");
  EXPECT_EQ(out[1].value, "node_cpu_seconds_total");
  EXPECT_EQ(out[2].name, "cpu");
  EXPECT_EQ(out[3].name, "host");
  EXPECT_EQ(out[3].value, "web1");  // the series' host wins over a stored label
  EXPECT_EQ(out[4].name, "mode");
}

TEST(RemoteWriteEncoderTest, ExportRecordRoundTrips) {
  std::string payload;
  const LabelView labels[] = {{"__name__", "m"}, {"host", "h"}};
  const int64_t ts[] = {1, 2};
  const double values[] = {3.5, 4.5};
  appendExportSeries(payload, labels, ts, values);
  appendExportSeries(payload, labels, std::span(ts, 1), std::span(values, 1));
  std::vector<size_t> counts;
  EXPECT_TRUE(forEachExportSeries(payload, [&](const ExportSeries& series) {
    EXPECT_EQ(series.labels[1].value, "h");
    EXPECT_EQ(series.values[0], 3.5);
    counts.push_back(series.timestamps_ms.size());
  }));
  EXPECT_EQ(counts, (std::vector<size_t>{2, 1}));
  EXPECT_FALSE(forEachExportSeries(payload.substr(0, payload.size() - 3), [](const auto&) {}));
}

}  // namespace
}  // namespace tidemark::controller::remote_write
