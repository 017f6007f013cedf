#include "controller/planner/triggers/trigger_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "common/errors/error.h"
#include "tests/support/test_support.h"

namespace tidemark::controller {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::vector<TriggerRule> parse(std::string_view text) {
  return parseTriggerRules(toml::parse(text), "controller.toml");
}

const TriggerRule* find(const std::vector<TriggerRule>& rules, const std::string& name) {
  auto it = std::find_if(rules.begin(), rules.end(), [&](const auto& r) { return r.name == name; });
  return it == rules.end() ? nullptr : &*it;
}

std::string errorOf(std::string_view text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(TriggerConfigTest, WithoutTriggerTablesTheDefaultsApply) {
  auto rules = parse("[retention]\nraw = \"7d\"\n");
  ASSERT_EQ(rules.size(), defaultTriggerRules().size());
  const TriggerRule* memory = find(rules, "memory_high");
  ASSERT_NE(memory, nullptr);
  EXPECT_EQ(memory->resource, TriggerResource::kMemory);
  EXPECT_DOUBLE_EQ(memory->threshold, 0.80);
  EXPECT_EQ(memory->duration_ms, 7 * 24 * 3'600'000LL);
  EXPECT_EQ(memory->action, TriggerAction::kScaleUp);
  const TriggerRule* ships = find(rules, "ships_per_host");
  ASSERT_NE(ships, nullptr);
  EXPECT_EQ(ships->comparison, TriggerRule::Comparison::kGreaterEqual);
  EXPECT_EQ(ships->action, TriggerAction::kScaleOut);
  EXPECT_TRUE(ships->breached(10));
  EXPECT_FALSE(ships->breached(9));
  EXPECT_EQ(find(rules, "ship_down")->severity, TriggerSeverity::kCritical);
}

TEST(TriggerConfigTest, NewRuleWithEveryKey) {
  auto rules = parse(R"(
[[trigger]]
name = "load_high"
resource = "metric"
metric = "node_load1"
condition = ">= 16"
duration = "10m"
clear_margin = "4"
clear_after = "30m"
action = "tune"
severity = "critical"
)");
  const TriggerRule* rule = find(rules, "load_high");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->resource, TriggerResource::kMetric);
  EXPECT_EQ(rule->metric, "node_load1");
  EXPECT_EQ(rule->comparison, TriggerRule::Comparison::kGreaterEqual);
  EXPECT_DOUBLE_EQ(rule->threshold, 16);
  EXPECT_FALSE(rule->ratio);
  EXPECT_EQ(rule->duration_ms, 600'000);
  EXPECT_DOUBLE_EQ(rule->clear_margin, 4);
  EXPECT_EQ(rule->clear_after_ms, 1'800'000);
  EXPECT_EQ(rule->action, TriggerAction::kTune);
  EXPECT_EQ(rule->severity, TriggerSeverity::kCritical);
  EXPECT_EQ(rules.size(), defaultTriggerRules().size() + 1);
}

TEST(TriggerConfigTest, ARuleNamedLikeADefaultChangesOnlyItsKeys) {
  auto rules = parse(R"(
[[trigger]]
name = "disk_full"
condition = "> 90%"
severity = "critical"

[[trigger]]
name = "ships_per_host"
enabled = false
)");
  const TriggerRule* disk = find(rules, "disk_full");
  ASSERT_NE(disk, nullptr);
  EXPECT_EQ(disk->resource, TriggerResource::kDisk);
  EXPECT_DOUBLE_EQ(disk->threshold, 0.90);
  EXPECT_DOUBLE_EQ(disk->clear_margin, 0.05);
  EXPECT_EQ(disk->action, TriggerAction::kScaleUp);
  EXPECT_EQ(disk->severity, TriggerSeverity::kCritical);
  EXPECT_EQ(find(rules, "ships_per_host"), nullptr);
  EXPECT_EQ(rules.size(), defaultTriggerRules().size() - 1);
}

TEST(TriggerConfigTest, ConditionsInPercentRatioAndBytes) {
  TriggerRule disk;
  disk.resource = TriggerResource::kDisk;
  EXPECT_EQ(parseCondition("> 85%", disk), "");
  EXPECT_DOUBLE_EQ(disk.threshold, 0.85);
  EXPECT_TRUE(disk.ratio);
  EXPECT_EQ(parseCondition("<0.1", disk), "");
  EXPECT_EQ(disk.comparison, TriggerRule::Comparison::kLess);
  EXPECT_DOUBLE_EQ(disk.threshold, 0.1);
  EXPECT_TRUE(disk.ratio);
  EXPECT_EQ(parseCondition("> 1.5 TiB", disk), "");
  EXPECT_DOUBLE_EQ(disk.threshold, 1.5 * 1024 * 1024 * 1024 * 1024);
  EXPECT_FALSE(disk.ratio);

  TriggerRule growth;
  growth.resource = TriggerResource::kPierGrowth;
  EXPECT_EQ(parseCondition("> 10GB", growth), "");
  EXPECT_DOUBLE_EQ(growth.threshold, 10e9);
  EXPECT_THAT(parseCondition("> 80%", growth), HasSubstr("no capacity"));
}

TEST(TriggerConfigTest, BadConditionsSayWhy) {
  TriggerRule cpu;
  cpu.resource = TriggerResource::kCpu;
  EXPECT_THAT(parseCondition("80%", cpu), HasSubstr("expected >, >=, < or <="));
  EXPECT_THAT(parseCondition("> lots", cpu), HasSubstr("not a number"));
  EXPECT_THAT(parseCondition("> 80 parsecs", cpu), HasSubstr("unknown unit 'parsecs'"));
  EXPECT_THAT(parseCondition("> 80", cpu), HasSubstr("ratio of capacity (0 to 1)"));
  EXPECT_THAT(parseCondition("> 8GB", cpu), HasSubstr("share of time"));
}

TEST(TriggerConfigTest, ErrorsNameFileRuleKeyValueAndReason) {
  EXPECT_THAT(errorOf("[[trigger]]\nname = \"x\"\nresource = \"ram\"\ncondition = \"> 1%\"\n"),
              AllOf(HasSubstr("controller.toml"), HasSubstr("trigger 'x'"),
                    HasSubstr("key 'resource' = 'ram'"), HasSubstr("expected memory, disk")));
  EXPECT_THAT(errorOf("[[trigger]]\nname = \"x\"\nresource = \"disk\"\ncondition = \">> 5\"\n"),
              AllOf(HasSubstr("trigger 'x'"), HasSubstr("key 'condition' = '>> 5'"),
                    HasSubstr("not a number")));
  EXPECT_THAT(errorOf("[[trigger]]\nname = \"x\"\nresource = \"disk\"\n"),
              AllOf(HasSubstr("key 'condition'"), HasSubstr("needs a condition")));
  EXPECT_THAT(errorOf("[[trigger]]\nname = \"x\"\ncondition = \"> 5%\"\n"),
              HasSubstr("needs a resource"));
  EXPECT_THAT(errorOf("[[trigger]]\nresource = \"disk\"\n"),
              AllOf(HasSubstr("[[trigger]] #1"), HasSubstr("needs a name")));
  EXPECT_THAT(errorOf("[[trigger]]\nname = \"disk_full\"\nduration = \"soon\"\n"),
              AllOf(HasSubstr("trigger 'disk_full'"), HasSubstr("key 'duration' = 'soon'"),
                    HasSubstr("expected a duration")));
  EXPECT_THAT(errorOf("[[trigger]]\nname = \"disk_full\"\naction = \"panic\"\n"),
              HasSubstr("expected scale_up, scale_out, maintenance or tune"));
  EXPECT_THAT(errorOf("[[trigger]]\nname = \"disk_full\"\nseverity = \"dire\"\n"),
              HasSubstr("expected info, warning or critical"));
  EXPECT_THAT(errorOf("[[trigger]]\nname = \"disk_full\"\nthreshold = 5\n"),
              AllOf(HasSubstr("key 'threshold'"), HasSubstr("unknown key")));
  EXPECT_THAT(errorOf("[[trigger]]\nname = \"a\"\nresource = \"disk\"\ncondition = \"> 5%\"\n"
                      "[[trigger]]\nname = \"a\"\nresource = \"disk\"\ncondition = \"> 6%\"\n"),
              HasSubstr("a second rule with this name"));
  EXPECT_THAT(errorOf("[[trigger]]\nname = \"x\"\nresource = \"metric\"\ncondition = \"> 5\"\n"),
              HasSubstr("needs the metric's name"));
  EXPECT_THAT(errorOf("[[trigger]]\nname = \"disk_full\"\nclear_margin = \"1GB\"\n"),
              HasSubstr("threshold's unit"));
  EXPECT_THAT(errorOf("[[trigger]]\nname = \"disk_full\"\nduration = 5\n"),
              HasSubstr("expected a string"));
  EXPECT_THAT(errorOf("trigger = 5\n"), HasSubstr("[[trigger]]"));
}

TEST(TriggerConfigTest, LoadsAFileAndReportsTomlSyntaxWithPosition) {
  tidemark::testing::TempDir dir;
  dir.write("good.toml", "[[trigger]]\nname = \"loom_full\"\ncondition = \"> 90%\"\n");
  auto rules = loadTriggerRules((dir.path() / "good.toml").string());
  EXPECT_DOUBLE_EQ(find(rules, "loom_full")->threshold, 0.90);
  dir.write("bad.toml", "[[trigger]\n");
  try {
    loadTriggerRules((dir.path() / "bad.toml").string());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("bad.toml:1:"));
  }
  EXPECT_EQ(loadTriggerRules("").size(), defaultTriggerRules().size());
}

}  // namespace
}  // namespace tidemark::controller
