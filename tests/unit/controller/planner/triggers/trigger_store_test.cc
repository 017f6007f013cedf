#include "controller/planner/triggers/trigger_store.h"

#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace tidemark::controller {
namespace {

TriggerState firingDisk() {
  TriggerState state;
  state.rule = "disk_full";
  state.host = "web1";
  state.labels = {{"device", "/dev/nvme0n1p2"}, {"mountpoint", "/srv"}};
  state.phase = TriggerPhase::kFiring;
  state.breach_since_ms = 1'700'000'000'000;
  state.firing_since_ms = 1'700'000'060'000;
  state.safe_since_ms = 1'700'000'120'000;
  state.value = 0.91;
  state.value_ms = 1'700'000'180'000;
  return state;
}

void expectSame(const TriggerState& a, const TriggerState& b) {
  EXPECT_EQ(a.rule, b.rule);
  EXPECT_EQ(a.host, b.host);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.phase, b.phase);
  EXPECT_EQ(a.breach_since_ms, b.breach_since_ms);
  EXPECT_EQ(a.firing_since_ms, b.firing_since_ms);
  EXPECT_EQ(a.resolved_at_ms, b.resolved_at_ms);
  EXPECT_EQ(a.safe_since_ms, b.safe_since_ms);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.value_ms, b.value_ms);
}

TEST(TriggerStoreTest, StatesSurviveReopeningTheStore) {
  tidemark::testing::TempDir dir;
  StoreOptions options;
  options.path = dir.str();
  TriggerState disk = firingDisk();
  TriggerState resolved = disk;
  resolved.rule = "memory_high";
  resolved.labels = {};
  resolved.phase = TriggerPhase::kResolved;
  resolved.resolved_at_ms = 1'700'000'240'000;
  {
    auto store = SampleStore::open(options);
    TriggerStateStore states(*store);
    ASSERT_EQ(states.save({disk, resolved}, {}), "");
  }
  auto store = SampleStore::open(options);
  TriggerStateStore states(*store);
  auto loaded = states.load();
  ASSERT_EQ(loaded.size(), 2u);
  // Key order: rule first.
  expectSame(loaded[0], disk);
  expectSame(loaded[1], resolved);

  ASSERT_EQ(states.save({}, {disk}), "");
  loaded = states.load();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].rule, "memory_high");
}

TEST(TriggerStoreTest, SubjectsDifferingOnlyInLabelsAreKeptApart) {
  tidemark::testing::TempDir dir;
  StoreOptions options;
  options.path = dir.str();
  auto store = SampleStore::open(options);
  TriggerStateStore states(*store);
  TriggerState a = firingDisk();
  TriggerState b = a;
  b.labels = {{"device", "/dev/sda1"}, {"mountpoint", "/"}};
  b.value = 0.99;
  ASSERT_EQ(states.save({a, b}, {}), "");
  ASSERT_EQ(states.save({b}, {}), "");  // rewriting one leaves the other
  EXPECT_EQ(states.load().size(), 2u);
}

TEST(TriggerStoreTest, DamagedBytesDecodeToNothing) {
  EXPECT_FALSE(decodeTriggerState("").has_value());
  EXPECT_FALSE(decodeTriggerState("1234567").has_value());
  std::string bytes = encodeTriggerState(firingDisk());
  EXPECT_TRUE(decodeTriggerState(bytes).has_value());
}

}  // namespace
}  // namespace tidemark::controller
