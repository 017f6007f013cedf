// Each default rule on a real store with synthetic histories: fires, does not fire,
// resolves; and the states survive a restart of the store.
#include "controller/planner/triggers/trigger_evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>

#include "tests/support/test_support.h"

namespace tidemark::controller {
namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kT0 = 1'700'000'000'000;
constexpr double kGiB = 1024.0 * 1024 * 1024;

TriggerRule defaultRule(const std::string& name) {
  for (const auto& rule : defaultTriggerRules())
    if (rule.name == name) return rule;
  ADD_FAILURE() << "no default rule " << name;
  return {};
}

class TriggerEvaluatorTest : public ::testing::Test {
 protected:
  TriggerEvaluatorTest() { openStore(); }

  void openStore() {
    StoreOptions options;
    options.path = (dir.path() / "db").string();
    options.sync_writes = false;
    options.now_ms = [this] { return now; };
    store = SampleStore::open(options);
  }

  // Samples at from, from + every, ... up to and including `to`: value(t).
  void put(const std::string& host, const std::string& metric, Labels labels, int64_t from,
           int64_t to, int64_t every, const std::function<double(int64_t)>& value) {
    WriteSet writes = store->beginWrite();
    sortLabels(labels);
    const uint64_t id = store->resolveSeries(writes, host, metric, labels);
    for (int64_t t = from; t <= to; t += every) store->appendSample(writes, id, t, value(t));
    ASSERT_EQ(store->commit(writes), "");
  }

  // Memory of `host` at `used` (a fraction of 8 GiB) over [from, to], every 5 min.
  void memory(const std::string& host, int64_t from, int64_t to, double used) {
    put(host, "node_memory_MemTotal_bytes", {}, from, to, 5 * kMinute, [](int64_t) { return 8 * kGiB; });
    put(host, "node_memory_MemAvailable_bytes", {}, from, to, 5 * kMinute,
        [&](int64_t) { return 8 * kGiB * (1 - used); });
  }

  // One filesystem of `host` at `used` of 100 GiB over [from, to], every minute.
  void disk(const std::string& host, int64_t from, int64_t to, double used) {
    const Labels root = {{"device", "/dev/sda1"}, {"fstype", "ext4"}, {"mountpoint", "/"}};
    put(host, "node_filesystem_size_bytes", root, from, to, kMinute, [](int64_t) { return 100 * kGiB; });
    put(host, "node_filesystem_avail_bytes", root, from, to, kMinute,
        [&](int64_t) { return 100 * kGiB * (1 - used); });
  }

  // A counter over [from, to] every minute that grows `per_second` a second.
  void counter(const std::string& host, const std::string& metric, Labels labels, int64_t from,
               int64_t to, double per_second) {
    put(host, metric, std::move(labels), from, to, kMinute,
        [&](int64_t t) { return 1e6 + per_second * static_cast<double>(t - from) / 1000.0; });
  }

  void ship(const std::string& host, const std::string& name, int64_t from, int64_t to, bool up) {
    put(host, "urbit_ship_up", {{"pier", "/srv/" + name}, {"ship", name}}, from, to, kMinute,
        [&](int64_t) { return up ? 1.0 : 0.0; });
  }

  std::vector<TriggerState> evaluate(const std::vector<TriggerRule>& rules) {
    if (!evaluator) evaluator = std::make_unique<TriggerEvaluator>(*store, rules);
    EXPECT_EQ(evaluator->evaluate(now), "");
    return evaluator->states();
  }

  tidemark::testing::TempDir dir;
  int64_t now = kT0;
  std::unique_ptr<SampleStore> store;
  std::unique_ptr<TriggerEvaluator> evaluator;
};

const TriggerState* stateOf(const std::vector<TriggerState>& states, const std::string& host) {
  auto it = std::find_if(states.begin(), states.end(), [&](const auto& s) { return s.host == host; });
  return it == states.end() ? nullptr : &*it;
}

TEST_F(TriggerEvaluatorTest, MemoryOver80PercentForSevenDaysFires) {
  now = kT0 + 8 * kDay;
  memory("full", kT0, now, 0.9);
  memory("fine", kT0, now, 0.7);
  memory("recent", now - 6 * kDay, now, 0.9);
  auto states = evaluate({defaultRule("memory_high")});
  const TriggerState* full = stateOf(states, "full");
  ASSERT_NE(full, nullptr);
  EXPECT_EQ(full->phase, TriggerPhase::kFiring);
  EXPECT_NEAR(full->value, 0.9, 1e-9);
  // The breach is as old as the window read (7 days plus slack), so it fired 7 days after.
  EXPECT_LE(full->firing_since_ms, now);
  EXPECT_GE(full->firing_since_ms, now - 3 * kHour);
  EXPECT_EQ(stateOf(states, "fine"), nullptr);
  const TriggerState* recent = stateOf(states, "recent");
  ASSERT_NE(recent, nullptr);
  EXPECT_EQ(recent->phase, TriggerPhase::kPending) << "6 days of 90% is not 7";
}

TEST_F(TriggerEvaluatorTest, DiskOver85PercentFiresHoldsInTheMarginAndResolves) {
  now = kT0 + 10 * kMinute;
  disk("web", kT0, now, 0.90);
  disk("db", kT0, now, 0.50);
  auto states = evaluate({defaultRule("disk_full")});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].host, "web");
  EXPECT_EQ(states[0].phase, TriggerPhase::kFiring);
  EXPECT_EQ(states[0].labels,
            (Labels{{"device", "/dev/sda1"}, {"fstype", "ext4"}, {"mountpoint", "/"}}));

  // 83%: under the threshold, within the 5-point margin: still firing.
  disk("web", now + kMinute, now + 5 * kMinute, 0.83);
  now += 5 * kMinute;
  states = evaluate({});
  EXPECT_EQ(states[0].phase, TriggerPhase::kFiring);

  disk("web", now + kMinute, now + 2 * kMinute, 0.70);
  now += 2 * kMinute;
  states = evaluate({});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].phase, TriggerPhase::kResolved);
  // At the newest point read: 1-minute buckets start on the wall clock's minutes.
  EXPECT_LE(states[0].resolved_at_ms, now);
  EXPECT_GT(states[0].resolved_at_ms, now - kMinute);
}

TEST_F(TriggerEvaluatorTest, CpuOver80PercentForAnHourFiresShorterIsPending) {
  now = kT0 + 2 * kHour;
  counter("busy", "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "user"}}, kT0, now, 0.9);
  counter("busy", "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}}, kT0, now, 0.1);
  // Just as busy, but only for the last half hour.
  counter("short", "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "user"}}, now - 30 * kMinute,
          now, 0.9);
  counter("short", "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}}, now - 30 * kMinute,
          now, 0.1);
  auto states = evaluate({defaultRule("cpu_busy")});
  const TriggerState* busy = stateOf(states, "busy");
  ASSERT_NE(busy, nullptr);
  EXPECT_EQ(busy->phase, TriggerPhase::kFiring);
  EXPECT_NEAR(busy->value, 0.9, 1e-6);
  const TriggerState* burst = stateOf(states, "short");
  ASSERT_NE(burst, nullptr);
  EXPECT_EQ(burst->phase, TriggerPhase::kPending);
}

TEST_F(TriggerEvaluatorTest, DiskIoOver70PercentFires) {
  now = kT0 + 2 * kHour;
  counter("web", "node_disk_io_time_seconds_total", {{"device", "nvme0n1"}}, kT0, now, 0.8);
  counter("web", "node_disk_io_time_seconds_total", {{"device", "sda"}}, kT0, now, 0.5);
  auto states = evaluate({defaultRule("disk_io_busy")});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].labels, (Labels{{"device", "nvme0n1"}}));
  EXPECT_EQ(states[0].phase, TriggerPhase::kFiring);
  EXPECT_NEAR(states[0].value, 0.8, 1e-6);
}

TEST_F(TriggerEvaluatorTest, NetworkWithoutALinkSpeedIsNotJudged) {
  now = kT0 + 2 * kHour;
  counter("web", "node_network_receive_bytes_total", {{"device", "eth0"}}, kT0, now, 1e9);
  EXPECT_TRUE(evaluate({defaultRule("network_busy")}).empty());
}

TEST_F(TriggerEvaluatorTest, NetworkOver60PercentOfLinkSpeedForAnHourFires) {
  now = kT0 + 2 * kHour;
  // A 1 Gb/s link (125 MB/s): eth0 carries 100 MB/s (80%), eth1 50 MB/s (40%).
  for (const char* device : {"eth0", "eth1"}) {
    put("web", "node_network_speed_bytes", {{"device", device}}, kT0, now, kMinute,
        [](int64_t) { return 125e6; });
  }
  counter("web", "node_network_receive_bytes_total", {{"device", "eth0"}}, kT0, now, 100e6);
  counter("web", "node_network_receive_bytes_total", {{"device", "eth1"}}, kT0, now, 50e6);
  auto states = evaluate({defaultRule("network_busy")});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].labels, (Labels{{"device", "eth0"}}));
  EXPECT_EQ(states[0].phase, TriggerPhase::kFiring);
  EXPECT_NEAR(states[0].value, 0.8, 1e-6);
}

TEST_F(TriggerEvaluatorTest, TenShipsUpOnOneHostFire) {
  now = kT0 + 10 * kMinute;
  for (int i = 0; i < 10; ++i) ship("crowded", "ship" + std::to_string(i), kT0, now, true);
  for (int i = 0; i < 9; ++i) ship("roomy", "ship" + std::to_string(i), kT0, now, true);
  ship("roomy", "down1", kT0, now, false);  // down ships do not count
  auto states = evaluate({defaultRule("ships_per_host")});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].host, "crowded");
  EXPECT_EQ(states[0].phase, TriggerPhase::kFiring);
  EXPECT_EQ(states[0].value, 10);
}

TEST_F(TriggerEvaluatorTest, LoomOver85PercentFires) {
  now = kT0 + 10 * kMinute;
  const Labels zod = {{"pier", "/srv/zod"}, {"ship", "zod"}};
  const Labels bus = {{"pier", "/srv/bus"}, {"ship", "bus"}};
  put("web", "urbit_ship_loom_use_ratio", zod, kT0, now, kMinute, [](int64_t) { return 0.9; });
  put("web", "urbit_ship_loom_bytes", zod, kT0, now, kMinute, [](int64_t) { return 2 * kGiB; });
  put("web", "urbit_ship_loom_use_ratio", bus, kT0, now, kMinute, [](int64_t) { return 0.4; });
  put("web", "urbit_ship_loom_bytes", bus, kT0, now, kMinute, [](int64_t) { return 2 * kGiB; });
  auto states = evaluate({defaultRule("loom_full")});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].labels, zod);
  EXPECT_EQ(states[0].phase, TriggerPhase::kFiring);
}

TEST_F(TriggerEvaluatorTest, ASparseScrapeIsJudgedWhileItsNewestValueIsFresh) {
  // Every 5 min, newest 7 min ago: older than the 1-minute steps' few-step window, but
  // within the 15 minutes a value counts as fresh.
  now = kT0 + kHour;
  const Labels root = {{"device", "/dev/sda1"}, {"fstype", "ext4"}, {"mountpoint", "/"}};
  put("db", "node_filesystem_size_bytes", root, kT0, now - 7 * kMinute, 5 * kMinute,
      [](int64_t) { return 100 * kGiB; });
  put("db", "node_filesystem_avail_bytes", root, kT0, now - 7 * kMinute, 5 * kMinute,
      [](int64_t) { return 7 * kGiB; });
  auto states = evaluate({defaultRule("disk_full")});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].phase, TriggerPhase::kFiring);
}

TEST_F(TriggerEvaluatorTest, PierGrowingOver10GBAMonthFires) {
  now = kT0 + 10 * kDay;
  const Labels zod = {{"pier", "/srv/zod"}, {"ship", "zod"}};
  const Labels bus = {{"pier", "/srv/bus"}, {"ship", "bus"}};
  const auto days = [](int64_t t) { return static_cast<double>(t - kT0) / kDay; };
  // zod: 0.5 GiB a day (about 16 GiB a month); bus: 0.1 GiB a day (about 3 GiB).
  put("web", "urbit_ship_pier_bytes", zod, kT0, now, 10 * kMinute,
      [&](int64_t t) { return 20 * kGiB + 0.5 * kGiB * days(t); });
  put("web", "urbit_ship_pier_bytes", bus, kT0, now, 10 * kMinute,
      [&](int64_t t) { return 5 * kGiB + 0.1 * kGiB * days(t); });
  for (const auto& labels : {zod, bus}) {
    put("web", "urbit_ship_filesystem_avail_bytes", labels, kT0, now, 10 * kMinute,
        [](int64_t) { return 500 * kGiB; });
  }
  auto states = evaluate({defaultRule("pier_growth")});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].labels, zod);
  EXPECT_EQ(states[0].phase, TriggerPhase::kFiring);
  EXPECT_NEAR(states[0].value, 0.5 * kGiB * 30.44, 0.05 * kGiB * 30.44);
}

TEST_F(TriggerEvaluatorTest, AShipDownFiresAfterFiveMinutesAndResolvesWhenUp) {
  now = kT0 + 10 * kMinute;
  ship("web", "zod", kT0, now, false);
  ship("web", "bus", kT0, now, true);
  auto states = evaluate({defaultRule("ship_down")});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].labels, (Labels{{"pier", "/srv/zod"}, {"ship", "zod"}}));
  EXPECT_EQ(states[0].phase, TriggerPhase::kPending);

  ship("web", "zod", now + kMinute, now + 5 * kMinute, false);
  ship("web", "bus", now + kMinute, now + 5 * kMinute, true);
  now += 5 * kMinute;
  states = evaluate({});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].phase, TriggerPhase::kFiring);

  ship("web", "zod", now + kMinute, now + kMinute, true);
  ship("web", "bus", now + kMinute, now + kMinute, true);
  now += kMinute;
  states = evaluate({});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].phase, TriggerPhase::kResolved);
}

TEST_F(TriggerEvaluatorTest, ASilentShipIsDownSinceItWentStale) {
  now = kT0 + kHour;
  ship("web", "zod", kT0, kT0 + 10 * kMinute, true);  // nothing since: stale after 5 min
  auto states = evaluate({defaultRule("ship_down")});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].phase, TriggerPhase::kFiring);
  EXPECT_EQ(states[0].breach_since_ms, kT0 + 15 * kMinute);
}

TEST_F(TriggerEvaluatorTest, ARawMetricRule) {
  now = kT0 + 20 * kMinute;
  put("web", "node_load1", {}, kT0, now, kMinute, [](int64_t) { return 24.0; });
  put("db", "node_load1", {}, kT0, now, kMinute, [](int64_t) { return 2.0; });
  TriggerRule load;
  load.name = "load";
  load.resource = TriggerResource::kMetric;
  load.metric = "node_load1";
  load.threshold = 16;
  load.ratio = false;
  load.duration_ms = 10 * kMinute;
  auto states = evaluate({load});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].host, "web");
  EXPECT_EQ(states[0].phase, TriggerPhase::kFiring);
}

TEST_F(TriggerEvaluatorTest, ASubjectThatStopsReportingResolvesAfterClearAfter) {
  now = kT0 + 10 * kMinute;
  disk("web", kT0, now, 0.95);
  ASSERT_EQ(evaluate({defaultRule("disk_full")})[0].phase, TriggerPhase::kFiring);
  now += 20 * kMinute;  // past the staleness bound and clear_after: nothing new came
  auto states = evaluate({});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].phase, TriggerPhase::kResolved);
}

TEST_F(TriggerEvaluatorTest, StatesSurviveARestartAndDropRulesNoLongerConfigured) {
  now = kT0 + 10 * kMinute;
  disk("web", kT0, now, 0.95);
  ship("web", "zod", kT0, now, false);
  auto before = evaluate({defaultRule("disk_full"), defaultRule("ship_down")});
  ASSERT_EQ(before.size(), 2u);
  evaluator.reset();
  store.reset();

  openStore();
  TriggerEvaluator restarted(*store, {defaultRule("disk_full"), defaultRule("ship_down")});
  auto after = restarted.states();
  ASSERT_EQ(after.size(), 2u);
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].rule, before[i].rule);
    EXPECT_EQ(after[i].phase, before[i].phase);
    EXPECT_EQ(after[i].breach_since_ms, before[i].breach_since_ms);
    EXPECT_EQ(after[i].firing_since_ms, before[i].firing_since_ms);
    EXPECT_EQ(after[i].value, before[i].value);
  }
  // The pending ship-down state carries its start across the restart: it fires five
  // minutes after the ship was first seen down, not five minutes after the restart.
  ship("web", "zod", now + kMinute, now + 5 * kMinute, false);
  now += 5 * kMinute;
  ASSERT_EQ(restarted.evaluate(now), "");
  EXPECT_EQ(restarted.states()[1].phase, TriggerPhase::kFiring);

  TriggerEvaluator fewer(*store, {defaultRule("disk_full")});
  EXPECT_EQ(fewer.states().size(), 1u);
  TriggerEvaluator again(*store, {defaultRule("disk_full"), defaultRule("ship_down")});
  EXPECT_EQ(again.states().size(), 1u) << "the dropped rule's state was deleted";
}

}  // namespace
}  // namespace tidemark::controller
