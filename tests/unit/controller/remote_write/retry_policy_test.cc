#include "controller/remote_write/retry_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <snappy.h>

#include <chrono>

#include "common/time/clock.h"
#include "controller/remote_write/export_record.h"
#include "controller/remote_write/http_sender.h"
#include "controller/remote_write/shard_sender.h"
#include "tests/support/child_process.h"
#include "tests/support/test_support.h"
#include "tests/unit/controller/remote_write/fake_http_server.h"
#include "tests/unit/controller/remote_write/prompb_decoder.h"

namespace tidemark::controller::remote_write {
namespace {

using testing::FakeHttpServer;
using ::testing::HasSubstr;

HttpResult answer(long status) {
  HttpResult result;
  result.status = status;
  return result;
}

TEST(RemoteWriteRetryTest, ClassifiesAnswers) {
  for (long status : {200L, 204L}) EXPECT_EQ(classify(answer(status)), SendOutcome::kDelivered);
  // 0: no answer at all (connection refused, timeout).
  for (long status : {0L, 429L, 500L, 502L, 503L}) {
    EXPECT_EQ(classify(answer(status)), SendOutcome::kRetry) << status;
  }
  for (long status : {301L, 400L, 401L, 403L, 404L, 413L}) {
    EXPECT_EQ(classify(answer(status)), SendOutcome::kDrop) << status;
  }
}

TEST(RemoteWriteRetryTest, BackoffDoublesWithinJitterUpToTheCap) {
  RetryBackoff low([] { return uint64_t{0}; });  // always the floor of the window
  std::vector<int64_t> delays;
  for (int i = 0; i < 12; ++i) delays.push_back(low.next());
  EXPECT_EQ(delays.front(), 100);  // 100 ms at least
  EXPECT_EQ(delays[1], 100);
  EXPECT_EQ(delays[2], 200);
  EXPECT_EQ(delays[3], 400);
  EXPECT_EQ(delays.back(), 15'000);  // half of the 30 s cap
  RetryBackoff high([] { return ~uint64_t{0} - 1; });
  for (int i = 0; i < 12; ++i) {
    const int64_t delay = high.next();
    EXPECT_GE(delay, 100);
    EXPECT_LE(delay, 30'000);
  }
  EXPECT_EQ(high.next(), 30'000 / 2 + (~uint64_t{0} - 1) % 15'001);
  // Retry-After wins, clamped to [100 ms, 5 min].
  EXPECT_EQ(high.next(7'000), 7'000);
  EXPECT_EQ(high.next(0), 100);
  EXPECT_EQ(high.next(10'000'000), 300'000);
  high.reset();
  EXPECT_EQ(high.attempt(), 0);
}

TEST(RemoteWriteRetryTest, ParsesRetryAfter) {
  EXPECT_EQ(parseRetryAfterMs("7", 0), 7'000);
  // Wed, 21 Oct 2015 07:28:00 GMT is 1445412480.
  EXPECT_EQ(parseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470), 10'000);
  EXPECT_EQ(parseRetryAfterMs("soon", 0), -1);
  EXPECT_EQ(parseRetryAfterMs("-3", 0), -1);
}

TEST(RemoteWriteRetryTest, HttpSenderSpeaksRemoteWrite) {
  FakeHttpServer server({{500, "", "overloaded"},
                         {429, "Retry-After: 7\r\n", ""},
                         {400, "", "out of order sample"},
                         {204, "", ""}});
  RemoteWriteOptions options;
  options.url = server.url();
  options.bearer_token = "s3cret";
  std::atomic<bool> stop{false};
  HttpSender sender(options, stop);
  const std::string body = "compressed bytes";
  HttpResult first = sender.post(body);
  EXPECT_EQ(first.status, 500);
  EXPECT_EQ(first.body, "overloaded");
  EXPECT_EQ(first.retry_after_ms, -1);
  HttpResult second = sender.post(body);
  EXPECT_EQ(second.status, 429);
  EXPECT_EQ(second.retry_after_ms, 7'000);
  HttpResult third = sender.post(body);
  EXPECT_EQ(third.status, 400);
  EXPECT_EQ(third.body, "out of order sample");
  EXPECT_EQ(sender.post(body).status, 204);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_THAT(requests[0].head, HasSubstr("POST /api/v1/write HTTP/1.1"));
  EXPECT_THAT(requests[0].head, HasSubstr("Content-Encoding: snappy"));
  EXPECT_THAT(requests[0].head, HasSubstr("Content-Type: application/x-protobuf"));
  EXPECT_THAT(requests[0].head, HasSubstr("X-Prometheus-Remote-Write-Version: 0.1.0"));
  EXPECT_THAT(requests[0].head, HasSubstr("User-Agent: tidemark/" TIDEMARK_VERSION));
  EXPECT_THAT(requests[0].head, HasSubstr("Authorization: Bearer s3cret"));
  EXPECT_EQ(requests[0].body, body);
}

TEST(RemoteWriteRetryTest, NoListenerIsRetryable) {
  uint16_t port;
  {
    FakeHttpServer closed({{200, "", ""}});
    port = static_cast<uint16_t>(std::stoi(closed.url().substr(17)));
  }
  RemoteWriteOptions options;
  options.url = "http://127.0.0.1:" + std::to_string(port) + "/api/v1/write";
  std::atomic<bool> stop{false};
  HttpSender sender(options, stop);
  const HttpResult result = sender.post("x");
  EXPECT_EQ(result.status, 0);
  EXPECT_FALSE(result.error.empty());
  EXPECT_EQ(classify(result), SendOutcome::kRetry);
}

// The sender retries 500 and 429, drops a batch refused with 400, and sends the next.
TEST(RemoteWriteRetryTest, SenderRetriesThenDropsOnlyWhatTheRemoteRefuses) {
  FakeHttpServer server({{500, "", ""},
                         {429, "Retry-After: 0\r\n", ""},
                         {204, "", ""},
                         {400, "", "bad labels"},
                         {204, "", ""}});
  tidemark::testing::TempDir dir;
  ShardQueue queue(dir.str() + "/q", 1 << 20, 64 << 10);
  RemoteWriteOptions options;
  options.url = server.url();
  options.batch_size = 2;  // one record of two samples is one request
  options.flush_interval_ms = 10;
  SenderCounters counters;
  SystemClock clock;
  auto enqueue = [&](const std::string& metric, double value) {
    std::string payload;
    const LabelView labels[] = {{"__name__", metric}, {"host", "h1"}};
    const int64_t ts[] = {1000, 2000};
    const double values[] = {value, value + 1};
    appendExportSeries(payload, labels, ts, values);
    ASSERT_EQ(queue.append(payload, 2, clock.wallMs()), "");
  };
  enqueue("first", 1);
  {
    ShardSender sender(options, queue, counters, clock, 0);
    sender.wake();
    ASSERT_TRUE(tidemark::testing::eventually([&] { return counters.sent == 2; },
                                              std::chrono::seconds(20)));
    enqueue("second", 10);
    enqueue("third", 20);
    sender.wake();
    ASSERT_TRUE(tidemark::testing::eventually([&] { return counters.sent == 4; },
                                              std::chrono::seconds(20)));
  }
  EXPECT_EQ(counters.failed, 4u);  // two failed attempts of two samples
  EXPECT_EQ(counters.dropped_http, 2u);
  EXPECT_EQ(queue.stats().unsent_samples, 0u);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 5u);
  // The same request three times (500, 429, 204), then "second" (400), then "third".
  EXPECT_EQ(requests[0].body, requests[2].body);
  std::string raw;
  ASSERT_TRUE(snappy::Uncompress(requests[4].body.data(), requests[4].body.size(), &raw));
  const auto decoded = testing::decodeWriteRequest(raw);
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_EQ(decoded[0].labels[0].second, "third");
  ASSERT_EQ(decoded[0].samples.size(), 2u);
  EXPECT_EQ(decoded[0].samples[1].value, 21);
  EXPECT_EQ(decoded[0].samples[1].timestamp_ms, 2000);
}

}  // namespace
}  // namespace tidemark::controller::remote_write
