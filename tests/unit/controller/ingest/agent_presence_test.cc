#include "controller/ingest/agent_presence.h"

#include <gtest/gtest.h>

namespace tidemark::controller {
namespace {

TEST(AgentPresenceTest, UnknownHostIsNotConnected) {
  AgentPresence presence;
  EXPECT_FALSE(presence.connected("web", 0));
  EXPECT_FALSE(presence.connected("web", 1'000'000));
  EXPECT_EQ(presence.connectedCount(0), 0u);
}

TEST(AgentPresenceTest, ShortIntervalsGetThirtySecondWindow) {
  AgentPresence presence;
  presence.seen("web", 100'000, 1'000);  // 3 * 1 s + 5 s = 8 s < 30 s floor
  EXPECT_TRUE(presence.connected("web", 100'000));
  EXPECT_TRUE(presence.connected("web", 130'000));   // exactly at the edge
  EXPECT_FALSE(presence.connected("web", 130'001));  // just past it
}

TEST(AgentPresenceTest, LongIntervalsGetThreeIntervalsPlusFiveSeconds) {
  AgentPresence presence;
  presence.seen("web", 0, 60'000);  // 3 * 60 s + 5 s = 185 s
  EXPECT_TRUE(presence.connected("web", 185'000));
  EXPECT_FALSE(presence.connected("web", 185'001));
}

TEST(AgentPresenceTest, WindowJustAboveTheFloor) {
  AgentPresence presence;
  presence.seen("web", 0, 10'001);  // 3 * 10.001 s + 5 s = 35.003 s
  EXPECT_TRUE(presence.connected("web", 35'003));
  EXPECT_FALSE(presence.connected("web", 35'004));
}

TEST(AgentPresenceTest, ZeroIntervalKeepsDefaultOrPrevious) {
  AgentPresence presence;
  presence.seen("fresh", 0, 0);  // default 10 s -> 35 s window
  EXPECT_TRUE(presence.connected("fresh", 35'000));
  EXPECT_FALSE(presence.connected("fresh", 35'001));

  presence.seen("slow", 0, 100'000);  // 305 s window
  presence.seen("slow", 1'000, 0);     // a batch: interval unknown, keep 100 s
  EXPECT_TRUE(presence.connected("slow", 306'000));
  EXPECT_FALSE(presence.connected("slow", 306'001));
}

TEST(AgentPresenceTest, SeenAgainExtendsTheWindow) {
  AgentPresence presence;
  presence.seen("web", 0, 1'000);
  EXPECT_FALSE(presence.connected("web", 40'000));
  presence.seen("web", 40'000, 1'000);
  EXPECT_TRUE(presence.connected("web", 40'000));
  EXPECT_TRUE(presence.connected("web", 70'000));
  EXPECT_FALSE(presence.connected("web", 70'001));
}

TEST(AgentPresenceTest, ConnectedCountCountsFreshHostsOnly) {
  AgentPresence presence;
  presence.seen("a", 0, 1'000);       // until 30 s
  presence.seen("b", 20'000, 1'000);  // until 50 s
  presence.seen("c", 0, 60'000);      // until 185 s
  EXPECT_EQ(presence.connectedCount(10'000), 3u);
  EXPECT_EQ(presence.connectedCount(30'001), 2u);
  EXPECT_EQ(presence.connectedCount(50'001), 1u);
  EXPECT_EQ(presence.connectedCount(185'001), 0u);
  EXPECT_TRUE(presence.connected("c", 50'001));
  EXPECT_FALSE(presence.connected("b", 50'001));
}

TEST(AgentPresenceTest, HostsAreIndependent) {
  AgentPresence presence;
  presence.seen("a", 0, 1'000);
  EXPECT_TRUE(presence.connected("a", 1'000));
  EXPECT_FALSE(presence.connected("b", 1'000));
}

}  // namespace
}  // namespace tidemark::controller
