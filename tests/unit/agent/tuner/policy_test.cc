#include "agent/tuner/policy.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/support/test_support.h"

namespace tidemark::agent::tuner {
namespace {

using testing::TempDir;

// The message of the error parse() throws for `text`, or "" when it parses.
std::string parseError(const std::string& text) {
  try {
    Policy::parse(text, "policy.toml");
    return "";
  } catch (const std::runtime_error& e) {
    return e.what();
  }
}

TEST(Policy, AllowsRangesValuesWildcardsAndAnyValue) {
  const Policy policy = Policy::parse(R"(
[[allow]]
knob = "vm.swappiness"
min = 1
max = 60

[[allow]]
knob = "block.scheduler:*"
values = ["none", "mq-deadline", "bfq"]

[[allow]]
knob = "block.scheduler:sdb"
values = ["bfq"]

[[allow]]
knob = "ship.pack:*"
)",
                                      "/etc/tidemark/policy.toml");
  EXPECT_EQ(policy.source(), "/etc/tidemark/policy.toml");
  EXPECT_EQ(policy.check("vm.swappiness", "10"), "");
  EXPECT_EQ(policy.check("vm.swappiness", "80"),
            "policy /etc/tidemark/policy.toml does not allow vm.swappiness = 80 (allowed 1..60)");
  EXPECT_NE(policy.check("vm.swappiness", "ten"), "");
  EXPECT_EQ(policy.check("block.scheduler:nvme0n1", "none"), "");
  EXPECT_EQ(policy.check("block.scheduler:nvme0n1", "kyber"),
            "policy /etc/tidemark/policy.toml does not allow block.scheduler:nvme0n1 = kyber "
            "(allowed none, mq-deadline, bfq)");
  // An exact entry wins over its kind's wildcard.
  EXPECT_NE(policy.check("block.scheduler:sdb", "none"), "");
  EXPECT_EQ(policy.check("block.scheduler:sdb", "bfq"), "");
  EXPECT_EQ(policy.check("ship.pack:zod", "run"), "");
  EXPECT_EQ(policy.check("net.core.somaxconn", "1024"),
            "policy /etc/tidemark/policy.toml has no entry for net.core.somaxconn");
  EXPECT_NE(policy.check("block.read_ahead_kb:sda", "4096"), "");
}

TEST(Policy, MentionsAKnobByItsExactEntryOrItsKindsWildcard) {
  const Policy policy = Policy::parse(R"(
[[allow]]
knob = "vm.swappiness"

[[allow]]
knob = "block.scheduler:*"

[[allow]]
knob = "block.scheduler:sdb"
values = ["bfq"]
)",
                                      "(test)");
  EXPECT_TRUE(policy.mentions("vm.swappiness"));
  EXPECT_TRUE(policy.mentions("block.scheduler:nvme0n1"));
  EXPECT_FALSE(policy.mentions("vm.dirty_ratio"));
  EXPECT_FALSE(policy.mentions("block.read_ahead_kb:sda"));
  EXPECT_FALSE(policy.mentions("vm.swappiness:x"));
  ASSERT_NE(policy.ruleFor("block.scheduler:sdb"), nullptr);
  EXPECT_EQ(policy.ruleFor("block.scheduler:sdb")->knob, "block.scheduler:sdb");
  EXPECT_EQ(policy.ruleFor("block.scheduler:sda")->knob, "block.scheduler:*");
}

TEST(Policy, DefaultsAllowTheCatalogsRecommendationsOnly) {
  const Policy policy = Policy::defaults();
  EXPECT_EQ(policy.source(), "(built-in default)");
  EXPECT_EQ(policy.check("vm.swappiness", "10"), "");
  EXPECT_EQ(policy.check("net.ipv4.tcp_congestion_control", "bbr"), "");
  EXPECT_EQ(policy.check("ship.loom:zod", "32"), "");
  EXPECT_EQ(policy.check("ship.meld:zod", "run"), "");
  EXPECT_NE(policy.check("ship.meld:zod", "now"), "");
  EXPECT_NE(policy.check("thp.enabled", "always"), "");
  EXPECT_EQ(policy.check("vm.vfs_cache_pressure", "50"),
            "policy (built-in default) has no entry for vm.vfs_cache_pressure");
}

TEST(Policy, ErrorsNameTheSourceLineAndWhy) {
  EXPECT_EQ(parseError("[[allow]]\nknob = \"vm.swappiness\"\nmin = 60\nmax = 1\n"),
            "policy.toml:3: [[allow]] #1: knob 'vm.swappiness': min 60 > max 1");
  EXPECT_EQ(parseError("[[allow]]\nknob = \"vm.swappiness\"\nmaxx = 1\n"),
            "policy.toml:3: [[allow]] #1: unknown key 'maxx' (known keys: knob, min, max, values)");
  EXPECT_EQ(parseError("[[allow]]\nknob = \"a\"\n\n[[allow]]\nmin = 1\n"),
            "policy.toml:4: [[allow]] #2: no knob (a knob id, or a kind with \":*\")");
  EXPECT_EQ(parseError("[[allow]]\nknob = \"thp.enabled\"\nvalues = [\"never\"]\nmin = 1\n"),
            "policy.toml:3: [[allow]] #1: knob 'thp.enabled' has both values and min/max: use one");
  EXPECT_EQ(parseError("[[allow]]\nknob = \"a\"\n[[allow]]\nknob = \"a\"\n"),
            "policy.toml:3: [[allow]] #2: knob 'a' is already allowed at line 1");
  EXPECT_EQ(parseError("deny = 1\n"),
            "policy.toml:1: unknown key 'deny' (a policy holds only [[allow]] tables)");
  EXPECT_EQ(parseError("[[allow]]\nknob = \"block.*\"\n"),
            "policy.toml:2: [[allow]] #1: knob 'block.*': a wildcard is a kind followed by \":*\"");
  const std::string bad_toml = parseError("[[allow]]\nknob = \"a\"\nmin = = 1\n");
  EXPECT_EQ(bad_toml.rfind("policy.toml:3: ", 0), 0u) << bad_toml;
}

TEST(Policy, LoadReadsAFileAndNamesItInErrors) {
  TempDir dir;
  dir.write("policy.toml", "[[allow]]\nknob = \"vm.swappiness\"\nmin = 5\nmax = 1\n");
  try {
    Policy::load(dir.str() + "/policy.toml");
    FAIL() << "min > max must be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(dir.str() + "/policy.toml:3: ", 0), 0u) << e.what();
  }
  EXPECT_THROW(Policy::load(dir.str() + "/missing.toml"), std::runtime_error);
}

TEST(Policy, ShippedDefaultPolicyFileAgreesWithDefaults) {
  const Policy file = Policy::load(testing::fixturePath("../../agent/tuner/default_policy.toml"));
  const Policy built_in = Policy::defaults();
  ASSERT_EQ(file.rules().size(), built_in.rules().size());
  for (size_t i = 0; i < file.rules().size(); ++i) {
    const PolicyRule& a = file.rules()[i];
    const PolicyRule& b = built_in.rules()[i];
    EXPECT_EQ(a.knob, b.knob);
    EXPECT_EQ(a.min, b.min) << a.knob;
    EXPECT_EQ(a.max, b.max) << a.knob;
    EXPECT_EQ(a.values, b.values) << a.knob;
  }
  const std::vector<std::pair<std::string, std::string>> samples = {
      {"vm.swappiness", "0"},         {"vm.swappiness", "1"},
      {"vm.swappiness", "60"},        {"vm.swappiness", "61"},
      {"vm.dirty_ratio", "40"},       {"vm.dirty_background_ratio", "21"},
      {"vm.max_map_count", "262144"}, {"net.core.rmem_max", "67108865"},
      {"net.core.somaxconn", "127"},  {"net.ipv4.tcp_congestion_control", "reno"},
      {"block.scheduler:sda", "bfq"}, {"block.read_ahead_kb:sda", "4096"},
      {"thp.defrag", "always"},       {"mount.atime:/srv", "noatime"},
      {"ship.nice:zod", "-11"},       {"ship.loom:zod", "35"},
      {"ship.pack_live:zod", "run"},  {"ship.affinity:zod", "0-3"},
      {"kernel.sched_autogroup_enabled", "0"}};
  for (const auto& [knob, value] : samples) {
    EXPECT_EQ(file.check(knob, value).empty(), built_in.check(knob, value).empty())
        << knob << " = " << value;
  }
}

}  // namespace
}  // namespace tidemark::agent::tuner
