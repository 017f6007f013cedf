#include "agent/link/backoff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <vector>

namespace tidemark::agent {
namespace {

// Returns the queued values, then `fallback`.
Backoff::Random scripted(std::deque<uint64_t> values, uint64_t fallback = 0) {
  auto queue = std::make_shared<std::deque<uint64_t>>(std::move(values));
  return [queue, fallback] {
    if (queue->empty()) return fallback;
    uint64_t value = queue->front();
    queue->pop_front();
    return value;
  };
}

TEST(BackoffTest, CeilingDoublesFromTheBaseUpToTheCap) {
  Backoff backoff({.base_ms = 1'000, .cap_ms = 60'000}, scripted({}));
  std::vector<int64_t> ceilings;
  for (int i = 0; i < 9; ++i) {
    ceilings.push_back(backoff.ceilingMs());
    backoff.next();
  }
  EXPECT_EQ(ceilings, (std::vector<int64_t>{1'000, 2'000, 4'000, 8'000, 16'000, 32'000, 60'000,
                                            60'000, 60'000}));
  EXPECT_EQ(backoff.attempt(), 9);
}

TEST(BackoffTest, DelaysSpanZeroToTheCeilingInclusive) {
  // r % (ceiling + 1): r = ceiling gives the ceiling itself, r = 0 gives 0.
  Backoff backoff({.base_ms = 100, .cap_ms = 1'000},
                  scripted({100, 200, 0, 400 + 801 * 7, 800, 1'000, 1'000, 1'001}));
  std::vector<int64_t> delays;
  for (int i = 0; i < 8; ++i) delays.push_back(backoff.next());
  EXPECT_EQ(delays, (std::vector<int64_t>{100, 200, 0, 400, 800, 1'000, 1'000, 0}));
}

TEST(BackoffTest, NeverOverflowsAfterManyAttempts) {
  Backoff backoff({.base_ms = 1'000, .cap_ms = 60'000},
                  [] { return std::numeric_limits<uint64_t>::max(); });
  for (int i = 0; i < 10'000; ++i) {
    const int64_t delay = backoff.next();
    ASSERT_GE(delay, 0);
    ASSERT_LE(delay, 60'000);
  }
  EXPECT_EQ(backoff.ceilingMs(), 60'000);
}

TEST(BackoffTest, ResetStartsFromTheBaseAgain) {
  Backoff backoff({.base_ms = 500, .cap_ms = 60'000}, scripted({}, 1'000'000));
  for (int i = 0; i < 5; ++i) backoff.next();
  EXPECT_EQ(backoff.ceilingMs(), 16'000);
  backoff.reset();
  EXPECT_EQ(backoff.attempt(), 0);
  EXPECT_EQ(backoff.ceilingMs(), 500);
  EXPECT_LE(backoff.next(), 500);
}

TEST(BackoffTest, CapBelowTheBaseBoundsEveryDelay) {
  Backoff backoff({.base_ms = 1'000, .cap_ms = 300}, scripted({}, 299));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(backoff.next(), 299);
  EXPECT_EQ(backoff.ceilingMs(), 300);
}

TEST(BackoffTest, DelaysAreSpreadUniformlyOverTheWindow) {
  std::mt19937_64 engine(12345);
  Backoff backoff({.base_ms = 1'000, .cap_ms = 60'000}, [&] { return engine(); });
  constexpr int kDraws = 20'000;
  std::vector<int> buckets(10, 0);
  double sum = 0;
  int64_t low = 1'000, high = 0;
  for (int i = 0; i < kDraws; ++i) {
    backoff.reset();
    const int64_t delay = backoff.next();
    ASSERT_GE(delay, 0);
    ASSERT_LE(delay, 1'000);
    low = std::min(low, delay);
    high = std::max(high, delay);
    sum += static_cast<double>(delay);
    ++buckets[std::min<int64_t>(delay / 100, 9)];
  }
  EXPECT_LE(low, 5);
  EXPECT_GE(high, 995);
  EXPECT_NEAR(sum / kDraws, 500.0, 15.0);
  for (int count : buckets) EXPECT_NEAR(count, kDraws / 10, kDraws / 50) << "bucket";
}

TEST(BackoffTest, AFleetRestartedTogetherDoesNotRetryTogether) {
  // A thousand agents with their own default (OS-seeded) random sources lose the
  // controller at once: their first retries spread over the whole first second.
  std::set<int64_t> tenths;
  std::vector<int64_t> delays;
  for (int agent = 0; agent < 1'000; ++agent) {
    Backoff backoff({.base_ms = 1'000, .cap_ms = 60'000});
    delays.push_back(backoff.next());
    tenths.insert(std::min<int64_t>(delays.back() / 100, 9));
  }
  EXPECT_EQ(tenths.size(), 10u);  // at least one agent in every tenth of the second
  const auto most = std::max_element(delays.begin(), delays.end());
  EXPECT_GT(*most, 900);
  // No more than a few percent in any one 10 ms slot.
  std::vector<int> slots(101, 0);
  for (int64_t delay : delays) ++slots[delay / 10];
  EXPECT_LT(*std::max_element(slots.begin(), slots.end()), 40);
}

}  // namespace
}  // namespace tidemark::agent
