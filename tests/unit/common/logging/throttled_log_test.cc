#include "common/logging/throttled_log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

namespace tidemark {
namespace {

// Routes the default logger into a string for the duration of a test.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(ThrottledLogTest, LogsOncePerPeriodPerKeyAndCountsSuppressions) {
  CapturedLog captured;
  ManualClock clock;
  ThrottledLog log(clock, 60'000);
  EXPECT_TRUE(log.warn("wire:10.0.0.1", "bad frame 1"));
  EXPECT_FALSE(log.warn("wire:10.0.0.1", "bad frame 2"));
  EXPECT_FALSE(log.warn("wire:10.0.0.1", "bad frame 3"));
  EXPECT_TRUE(log.warn("wire:10.0.0.2", "other peer"));
  clock.advanceMs(60'000);
  EXPECT_TRUE(log.warn("wire:10.0.0.1", "bad frame 4"));
  EXPECT_FALSE(log.warn("wire:10.0.0.1", "bad frame 5"));
  EXPECT_EQ(captured.text(),
            "bad frame 1\nother peer\nbad frame 4 (2 similar suppressed since the last report)\n");
}

TEST(ThrottledLogTest, LazyMessagesAreBuiltOnlyWhenWritten) {
  CapturedLog captured;
  ManualClock clock;
  ThrottledLog log(clock, 60'000);
  int built = 0;
  auto message = [&] { return "mount gone " + std::to_string(++built); };
  EXPECT_TRUE(log.warnLazily("statfs:/data", message));
  EXPECT_FALSE(log.warnLazily("statfs:/data", message));
  EXPECT_FALSE(log.warn("statfs:/data", "eager"));
  EXPECT_EQ(built, 1);
  clock.advanceMs(60'000);
  EXPECT_TRUE(log.warnLazily("statfs:/data", message));
  EXPECT_EQ(built, 2);
  EXPECT_EQ(captured.text(),
            "mount gone 1\nmount gone 2 (2 similar suppressed since the last report)\n");
}

}  // namespace
}  // namespace tidemark
