// A hostile or broken peer on the agent link: garbage frames, frames over the size
// limit, multi-frame messages, batches for series it never announced. The
// controller logs it, stores nothing of it, and keeps serving a real agent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <zmq.hpp>

#include "common/wire/agent_link_codec.h"
#include "tests/integration/fleet.h"

namespace tidemark::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST(MisbehavingAgentTest, GarbageFromOnePeerDoesNotStallTheOthers) {
  Fleet fleet;
  fleet.startController();
  fleet.startAgent("good-host");
  ASSERT_TRUE(eventually([&] { return fleet.storedSamples("good-host") > 0; }, 30s));

  zmq::context_t context(1);
  zmq::socket_t hostile(context, zmq::socket_type::dealer);
  hostile.set(zmq::sockopt::linger, 0);
  hostile.connect(fleet.endpoint());
  std::mt19937 random(42);
  std::uniform_int_distribution<int> byte(0, 255);

  const uint64_t before = fleet.storedSamples("good-host");
  const auto deadline = std::chrono::steady_clock::now() + 4s;
  size_t sent = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    // Random bytes, a whole number of words so they reach the Cap'n Proto decoder.
    std::string garbage(8 * (1 + random() % 64), '\0');
    for (auto& c : garbage) c = static_cast<char>(byte(random));
    hostile.send(zmq::buffer(garbage), zmq::send_flags::dontwait);
    // A valid batch naming series it never announced, for a host nobody runs.
    wire::MetricBatchData batch;
    batch.host_id = "ghost-host";
    batch.epoch = 7;
    batch.sequence = ++sent;
    batch.series_ids = {1, 2, 3};
    batch.timestamps_ms = {1, 2, 3};
    batch.values = {1, 2, 3};
    auto frame = wire::encodeAgentMessage(batch);
    hostile.send(frame, zmq::send_flags::dontwait);
    // Two frames in one message.
    hostile.send(zmq::str_buffer("part one"), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    hostile.send(zmq::str_buffer("part two"), zmq::send_flags::dontwait);
    std::this_thread::sleep_for(1ms);
  }
  // Over the controller's 16 MiB frame limit: libzmq drops the connection.
  std::string huge(17u << 20, 'x');
  hostile.send(zmq::buffer(huge), zmq::send_flags::dontwait);

  // The real agent kept being served throughout.
  ASSERT_TRUE(eventually([&] { return fleet.storedSamples("good-host") > before + 600; }, 30s))
      << fleet.controller().log();
  EXPECT_GT(sent, 100u);
  EXPECT_EQ(fleet.storedSamples("ghost-host"), 0u);
  const std::string log = fleet.controller().log();
  EXPECT_THAT(log, HasSubstr("dropped a malformed agent message"));
  EXPECT_THAT(log, HasSubstr("resync batch"));
  EXPECT_THAT(log, HasSubstr("not exactly one frame"));
  // Logged once per kind of problem, not once per message.
  EXPECT_LT(std::count(log.begin(), log.end(), '\n'), 100) << log;
  expectEverythingStoredOnce(fleet, fleet.agent(0), "good-host");
}

}  // namespace
}  // namespace tidemark::testing
