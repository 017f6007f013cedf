#include "agent/link/controller_link.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <thread>

#include "common/errors/error.h"
#include "tests/unit/agent/collectors/collector_test_util.h"
#include "tests/unit/agent/link/fake_controller.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::FakeController;
using tidemark::testing::RefusingPort;
using Steady = std::chrono::steady_clock;

constexpr auto kDeliveryLimit = std::chrono::seconds(5);

LinkOptions fastOptions(const std::string& endpoint) {
  LinkOptions options;
  options.controller = endpoint;
  options.reconnect_ms = 20;
  options.reconnect_max_ms = 100;
  return options;
}

wire::HelloData makeHello() {
  wire::HelloData hello;
  hello.host_id = "web-01";
  hello.agent_version = "0.1.0";
  hello.boot_id = "boot";
  hello.epoch = 0x1234;
  hello.interval_ms = 10'000;
  hello.facts = {{"kernel", "6.1.0"}};
  return hello;
}

// Sends `message` until the link takes it (the connection comes up asynchronously)
// and the controller has it. Bounded; false when it never arrived.
bool deliver(ControllerLink& link, FakeController& controller,
             const wire::AgentMessageData& message) {
  const size_t before = controller.received.size();
  const auto deadline = Steady::now() + kDeliveryLimit;
  bool sent = false;
  while (Steady::now() < deadline) {
    if (!sent) sent = link.send(message);
    controller.receiveAll(10);
    if (controller.received.size() > before) return true;
  }
  return false;
}

std::optional<wire::ControllerMessageData> receiveWithin(ControllerLink& link) {
  const auto deadline = Steady::now() + kDeliveryLimit;
  while (Steady::now() < deadline) {
    if (auto message = link.receive(10)) return message;
  }
  return std::nullopt;
}

TEST(ControllerLinkTest, SendFailsAndReceiveReturnsNothingWhileUnconnected) {
  zmq::context_t context;
  RefusingPort port;
  ControllerLink link(context, fastOptions(port.endpoint()));
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(link.send(makeHello()));
    EXPECT_FALSE(link.receive(10).has_value());
  }
  EXPECT_FALSE(link.receive(0).has_value());
}

// A wait of a minute ends at once when the wake fd is readable, connected or not
// (the bound is loose on purpose: only a wait that ignored the fd comes near it).
TEST(ControllerLinkTest, AReadableWakeFdEndsTheWait) {
  zmq::context_t context;
  FakeController controller(context);
  RefusingPort refusing;
  const int wake = ::eventfd(1, EFD_CLOEXEC);
  ASSERT_GE(wake, 0);
  for (const std::string& endpoint : {controller.endpoint(), refusing.endpoint()}) {
    ControllerLink link(context, fastOptions(endpoint));
    const auto started = Steady::now();
    EXPECT_FALSE(link.receive(60'000, wake).has_value());
    EXPECT_LT(Steady::now() - started, std::chrono::seconds(30)) << endpoint;
  }
  ::close(wake);
}

// The link sleeps in poll(2) on the sockets' ZMQ_FDs, which signal only what arrives
// after the socket's last look: a reply sent while it sleeps must end the wait at
// once, not at the deadline (loose bound, as above).
TEST(ControllerLinkTest, AReplyArrivingDuringTheWaitEndsItAtOnce) {
  zmq::context_t context;
  FakeController controller(context);
  ControllerLink link(context, fastOptions(controller.endpoint()));
  ASSERT_TRUE(deliver(link, controller, makeHello()));
  for (uint64_t sequence = 1; sequence <= 3; ++sequence) {
    std::thread replier([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      controller.reply(wire::AckData{sequence, wire::AckStatus::kStored, 0, ""});
    });
    const auto started = Steady::now();
    auto message = link.receive(60'000);
    replier.join();
    EXPECT_LT(Steady::now() - started, std::chrono::seconds(30));
    ASSERT_TRUE(message.has_value());
    const auto* ack = std::get_if<wire::AckData>(&*message);
    ASSERT_NE(ack, nullptr);
    EXPECT_EQ(ack->sequence, sequence);
  }
}

TEST(ControllerLinkTest, SendsHelloAndBatchesTheControllerCanDecode) {
  zmq::context_t context;
  FakeController controller(context);
  ControllerLink link(context, fastOptions(controller.endpoint()));

  ASSERT_TRUE(deliver(link, controller, makeHello()));
  ASSERT_EQ(controller.received.size(), 1u);
  const auto* hello = std::get_if<wire::HelloData>(&controller.received[0]);
  ASSERT_NE(hello, nullptr);
  EXPECT_EQ(hello->host_id, "web-01");
  EXPECT_EQ(hello->epoch, 0x1234u);
  EXPECT_EQ(hello->facts, makeHello().facts);

  wire::MetricBatchData batch;
  batch.host_id = "web-01";
  batch.epoch = 0x1234;
  batch.sequence = 7;
  batch.oldest_pending = 5;
  batch.announcements = {{0, "node_load1", {}}};
  batch.series_ids = {0, 0};
  batch.timestamps_ms = {1000, 2000};
  batch.values = {0.5, 0.75};
  ASSERT_TRUE(deliver(link, controller, batch));
  const auto* got = std::get_if<wire::MetricBatchData>(&controller.received.back());
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->sequence, 7u);
  EXPECT_EQ(got->oldest_pending, 5u);
  ASSERT_EQ(got->announcements.size(), 1u);
  EXPECT_EQ(got->announcements[0].name, "node_load1");
  EXPECT_EQ(got->values, batch.values);
  EXPECT_EQ(got->timestamps_ms, batch.timestamps_ms);
}

TEST(ControllerLinkTest, ReceivesAcksAndWelcomes) {
  zmq::context_t context;
  FakeController controller(context);
  ControllerLink link(context, fastOptions(controller.endpoint()));
  ASSERT_TRUE(deliver(link, controller, makeHello()));

  controller.reply(wire::WelcomeData{"9.9.9", 41});
  controller.reply(wire::AckData{42, wire::AckStatus::kGap, 40, "expected 40"});

  auto first = receiveWithin(link);
  ASSERT_TRUE(first.has_value());
  const auto* welcome = std::get_if<wire::WelcomeData>(&*first);
  ASSERT_NE(welcome, nullptr);
  EXPECT_EQ(welcome->controller_version, "9.9.9");
  EXPECT_EQ(welcome->last_sequence, 41u);

  auto second = receiveWithin(link);
  ASSERT_TRUE(second.has_value());
  const auto* ack = std::get_if<wire::AckData>(&*second);
  ASSERT_NE(ack, nullptr);
  EXPECT_EQ(ack->sequence, 42u);
  EXPECT_EQ(ack->status, wire::AckStatus::kGap);
  EXPECT_EQ(ack->expected_sequence, 40u);
  EXPECT_EQ(ack->reason, "expected 40");

  EXPECT_FALSE(link.receive(0).has_value());
}

TEST(ControllerLinkTest, MalformedFrameThrowsWireErrorAndTheLinkKeepsWorking) {
  zmq::context_t context;
  FakeController controller(context);
  ControllerLink link(context, fastOptions(controller.endpoint()));
  ASSERT_TRUE(deliver(link, controller, makeHello()));

  controller.replyRaw("definitely not a cap'n proto message");
  controller.reply(wire::AckData{1, wire::AckStatus::kStored, 0, ""});

  bool threw = false;
  const auto deadline = Steady::now() + kDeliveryLimit;
  while (!threw && Steady::now() < deadline) {
    try {
      auto message = link.receive(10);
      ASSERT_FALSE(message.has_value()) << "the ack overtook the malformed frame";
    } catch (const WireError&) {
      threw = true;
    }
  }
  EXPECT_TRUE(threw);
  auto ack = receiveWithin(link);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(std::get<wire::AckData>(*ack).sequence, 1u);
}

// Keeps the link busy (its monitor is read in send and receive) until `done` holds.
bool pumpLink(ControllerLink& link, const std::function<bool()>& done,
              std::chrono::milliseconds limit = kDeliveryLimit) {
  const auto deadline = Steady::now() + limit;
  while (!done()) {
    if (Steady::now() >= deadline) return false;
    (void)link.receive(5);
  }
  return true;
}

struct CurveKeys {
  std::string public_key;
  std::string secret_key;
};

CurveKeys makeCurveKeys() {
  char public_key[41] = {};
  char secret_key[41] = {};
  EXPECT_EQ(zmq_curve_keypair(public_key, secret_key), 0);
  return {public_key, secret_key};
}

TEST(ControllerLinkTest, ReconnectsAfterTheControllerRestartsAndResetsTheBackoff) {
  zmq::context_t context;
  auto controller = std::make_unique<FakeController>(context);
  const std::string endpoint = controller->endpoint();
  ControllerLink link(context, fastOptions(endpoint));
  ASSERT_TRUE(deliver(link, *controller, makeHello()));
  ASSERT_TRUE(pumpLink(link, [&] { return link.connections() == 1; }));
  EXPECT_TRUE(link.connected());
  EXPECT_EQ(link.sockets(), 1u);

  controller.reset();
  ASSERT_TRUE(pumpLink(link, [&] { return !link.connected(); }));
  EXPECT_FALSE(link.send(makeHello()));  // nothing queues while it is down
  controller = FakeController::bindAgain(context, endpoint);
  ASSERT_TRUE(deliver(link, *controller, makeHello()));
  ASSERT_TRUE(pumpLink(link, [&] { return link.connections() == 2; }));
  // A new socket, not libzmq's own reconnect; the backoff starts over.
  EXPECT_GE(link.sockets(), 2u);
  EXPECT_EQ(link.failedAttempts(), 0);
}

TEST(ControllerLinkTest, RetriesARefusingControllerWithGrowingJitteredDelays) {
  zmq::context_t context;
  RefusingPort port;
  LinkOptions options = fastOptions(port.endpoint());
  // Always the longest delay allowed: 20, 40, 80, 100, 100 ms ...
  ControllerLink link(context, options, [] { return std::numeric_limits<uint64_t>::max() / 2; });
  ASSERT_TRUE(pumpLink(link, [&] { return link.sockets() >= 5; }));
  EXPECT_GE(link.failedAttempts(), 4);
  EXPECT_EQ(link.connections(), 0u);
  EXPECT_FALSE(link.connected());
}

TEST(ControllerLinkTest, WaitsTheBackoffDelayBeforeTheNextSocket) {
  zmq::context_t context;
  RefusingPort port;
  LinkOptions options = fastOptions(port.endpoint());
  options.reconnect_ms = 600;
  options.reconnect_max_ms = 600;
  // r % 601 == 600: the whole window, every time.
  ControllerLink link(context, options, [] { return uint64_t{600}; });
  ASSERT_TRUE(pumpLink(link, [&] { return link.failedAttempts() == 1; }));
  // The first attempt failed; the second may not start for 600 ms. A loaded
  // machine only makes this window longer, never shorter.
  const auto failed_at = Steady::now();
  pumpLink(link, [&] { return Steady::now() - failed_at > std::chrono::milliseconds(300); });
  EXPECT_EQ(link.sockets(), 1u);
  ASSERT_TRUE(pumpLink(link, [&] { return link.sockets() == 2; }));
}

TEST(ControllerLinkTest, CurveLinkReconnectsWithItsKeysAndPinning) {
  zmq::context_t context;
  const CurveKeys server = makeCurveKeys();
  const CurveKeys client = makeCurveKeys();
  auto controller =
      std::make_unique<FakeController>(context, "tcp://127.0.0.1:*", server.secret_key);
  const std::string endpoint = controller->endpoint();
  LinkOptions options = fastOptions(endpoint);
  options.controller_public_key = server.public_key;
  options.curve_public_key = client.public_key;
  options.curve_secret_key = client.secret_key;
  ControllerLink link(context, options);
  ASSERT_TRUE(deliver(link, *controller, makeHello()));

  controller.reset();
  // (A send racing the disconnect could land on the dying connection; the agent
  // resends everything on a new connection, this test waits instead.)
  ASSERT_TRUE(pumpLink(link, [&] { return !link.connected(); }));
  controller = FakeController::bindAgain(context, endpoint, server.secret_key);
  // The new socket must carry the keys again, or this handshake would fail.
  ASSERT_TRUE(deliver(link, *controller, makeHello()));
  EXPECT_TRUE(pumpLink(link, [&] { return link.connections() == 2; }));
}

TEST(ControllerLinkTest, ControllerWithoutThePinnedKeyIsReportedOnceAndNeverTalkedTo) {
  zmq::context_t context;
  const CurveKeys impostor = makeCurveKeys();
  const CurveKeys pinned = makeCurveKeys();
  const CurveKeys client = makeCurveKeys();
  FakeController controller(context, "tcp://127.0.0.1:*", impostor.secret_key);
  LinkOptions options = fastOptions(controller.endpoint());
  options.controller_public_key = pinned.public_key;
  options.curve_public_key = client.public_key;
  options.curve_secret_key = client.secret_key;

  tidemark::testing::LogCapture capture;
  ControllerLink link(context, options);
  // Several failed handshakes, each on a new socket.
  ASSERT_TRUE(pumpLink(link, [&] {
    (void)link.send(makeHello());
    controller.receiveAll(0);
    return link.sockets() >= 4;
  }));
  EXPECT_EQ(capture.count("controller at " + controller.endpoint() +
                          " did not prove the pinned key " + pinned.public_key),
            1u)
      << capture.text();
  EXPECT_EQ(link.connections(), 0u);
  EXPECT_TRUE(controller.received.empty());
}

}  // namespace
}  // namespace tidemark::agent
