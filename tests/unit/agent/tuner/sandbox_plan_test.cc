// planSandbox over fixture trees: exact paths and capabilities for a policy, entries
// that match nothing, and the JSON that --print-sandbox prints.
#include "agent/tuner/sandbox_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "agent/tuner/host_knob_source.h"
#include "common/errors/error.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/tuner/host_fixture.h"

namespace tidemark::agent::tuner {
namespace {

using testing::fixturePath;
using testing::TempDir;
using Strings = std::vector<std::string>;

std::vector<KnobPtr> knobsUnder(const std::string& root) {
  TunerOptions options;
  options.root = root;
  std::vector<KnobPtr> knobs;
  makeHostKnobSource(options)->addKnobs(knobs);
  return knobs;
}

SandboxPlanInputs inputsFor(const std::string& root, const std::string& state_dir) {
  SandboxPlanInputs inputs;
  inputs.root = root;
  inputs.state_dir = state_dir;
  inputs.ships.root = root;
  inputs.pier_roots = {"/srv/piers"};
  return inputs;
}

Strings sorted(Strings words) {
  std::sort(words.begin(), words.end());
  return words;
}

const Strings kJobCapabilities = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER",
                                  "CAP_KILL",  "CAP_SETGID",       "CAP_SETUID"};

TEST(SandboxPlan, GrantsWhatTheFixturePolicyAllowsOnTheFixtureHost) {
  const std::string root = fixturePath("hosts/sandbox");
  const Policy policy = Policy::load(fixturePath("sandbox/policy.toml"));
  TempDir state;
  const SandboxPlan plan = planSandbox(policy, knobsUnder(root), inputsFor(root, state.str()));

  EXPECT_EQ(plan.policy, fixturePath("sandbox/policy.toml"));
  EXPECT_EQ(plan.read_write_paths, sorted({"/etc/default",
                                           "/proc/sys/vm/dirty_bytes",
                                           "/proc/sys/vm/dirty_ratio",
                                           "/proc/sys/vm/swappiness",
                                           "/srv/piers",
                                           "/sys/block/nvme0n1/queue/scheduler",
                                           "/sys/block/sda/queue/scheduler",
                                           state.str()}));
  EXPECT_EQ(plan.capabilities,
            (Strings{"CAP_BPF", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
                     "CAP_FOWNER", "CAP_KILL", "CAP_PERFMON", "CAP_SETGID", "CAP_SETUID",
                     "CAP_SYS_ADMIN", "CAP_SYS_NICE", "CAP_SYS_PTRACE"}));
  // The mounts are the host's (PID 1's mountinfo), not the sandbox's /var/lib/private.
  EXPECT_EQ(plan.knobs, (Strings{"block.scheduler:nvme0n1", "block.scheduler:sda",
                                 "mount.atime:/", "mount.atime:/srv/piers", "ship.loom:*",
                                 "ship.nice:*", "ship.pack:*", "vm.dirty_ratio",
                                 "vm.swappiness"}));
  EXPECT_EQ(plan.unmatched,
            (std::vector<UnmatchedPolicyEntry>{
                {"vm.max_map_count",
                 "unavailable on this host: no /proc/sys/vm/max_map_count on this kernel"},
                {"block.read_ahead_kb:sdz", "no knob block.read_ahead_kb:sdz on this host"}}));

  const auto why = [&](const std::string& name) {
    const auto found = plan.why.find(name);
    return found == plan.why.end() ? Strings{"<none>"} : found->second;
  };
  EXPECT_EQ(why("/proc/sys/vm/swappiness"), Strings{"vm.swappiness"});
  EXPECT_EQ(why("/proc/sys/vm/dirty_bytes"), Strings{"vm.dirty_ratio"});
  EXPECT_EQ(why("/sys/block/sda/queue/scheduler"), Strings{"block.scheduler:sda"});
  EXPECT_EQ(why("/etc/default"), Strings{"ship.loom:*"});
  EXPECT_EQ(why("/srv/piers"), Strings{"ship.pack:*"});
  EXPECT_EQ(why(state.str()), Strings{"state_dir"});
  EXPECT_EQ(why("CAP_SYS_ADMIN"), (Strings{"mount.atime:/", "mount.atime:/srv/piers"}));
  EXPECT_EQ(why("CAP_SYS_NICE"), Strings{"ship.nice:*"});
  EXPECT_EQ(why("CAP_SETUID"), Strings{"ship.pack:*"});
  EXPECT_EQ(why("CAP_DAC_READ_SEARCH"), Strings{"collection"});
  EXPECT_EQ(why("CAP_SYS_PTRACE"), Strings{"collection"});
  EXPECT_EQ(why("CAP_BPF"), Strings{"collection"});
  EXPECT_EQ(why("CAP_PERFMON"), Strings{"collection"});
  EXPECT_EQ(plan.why.size(), plan.read_write_paths.size() + plan.capabilities.size());
}

TEST(SandboxPlan, AnEmptyPolicyGrantsCollectionAndTheStateDirOnly) {
  const std::string root = fixturePath("hosts/sandbox");
  const Policy policy = Policy::parse("", "(test)");
  const SandboxPlan plan =
      planSandbox(policy, knobsUnder(root), inputsFor(root, "/var/lib/tidemark-agent/"));
  EXPECT_EQ(plan.read_write_paths, Strings{"/var/lib/tidemark-agent"});
  EXPECT_EQ(plan.capabilities, (Strings{"CAP_BPF", "CAP_DAC_READ_SEARCH", "CAP_PERFMON", "CAP_SYS_PTRACE"}));
  EXPECT_TRUE(plan.knobs.empty());
  EXPECT_TRUE(plan.unmatched.empty());
}

TEST(SandboxPlan, WithTuningDisabledEveryEntryIsUnmatched) {
  const std::string root = fixturePath("hosts/sandbox");
  SandboxPlanInputs inputs = inputsFor(root, "/var/lib/tidemark-agent");
  inputs.tuning_disabled = true;
  const SandboxPlan plan = planSandbox(Policy::load(fixturePath("sandbox/policy.toml")),
                                       knobsUnder(root), inputs);
  EXPECT_EQ(plan.read_write_paths, Strings{"/var/lib/tidemark-agent"});
  EXPECT_EQ(plan.capabilities, (Strings{"CAP_BPF", "CAP_DAC_READ_SEARCH", "CAP_PERFMON", "CAP_SYS_PTRACE"}));
  EXPECT_TRUE(plan.knobs.empty());
  ASSERT_EQ(plan.unmatched.size(), 9u);
  EXPECT_NE(plan.unmatched[0].reason.find("--tuning-disabled"), std::string::npos);
}

TEST(SandboxPlan, ShipEntriesNeedTheirCommandsAndPierRoots) {
  const Policy policy = Policy::parse(R"(
[[allow]]
knob = "ship.affinity:zod"
[[allow]]
knob = "ship.pack_live:*"
[[allow]]
knob = "ship.meld:*"
[[allow]]
knob = "ship.roll_chop:*"
[[allow]]
knob = "ship.loom:zod"
[[allow]]
knob = "ship.frobnicate:*"
)",
                                      "(test)");
  SandboxPlanInputs inputs;
  inputs.state_dir = "/var/lib/tidemark-agent";
  inputs.ships.loom_file = "/etc/urbit/{ship}/env";
  SandboxPlan plan = planSandbox(policy, {}, inputs);
  EXPECT_EQ(plan.knobs, (Strings{"ship.affinity:zod", "ship.loom:zod"}));
  EXPECT_EQ(plan.read_write_paths, (Strings{"/etc/urbit", "/var/lib/tidemark-agent"}));
  EXPECT_EQ(plan.capabilities, (Strings{"CAP_BPF", "CAP_DAC_READ_SEARCH", "CAP_PERFMON", "CAP_SYS_NICE",
                                         "CAP_SYS_PTRACE"}));
  EXPECT_EQ(plan.unmatched,
            (std::vector<UnmatchedPolicyEntry>{
                {"ship.pack_live:*", "no tuning.pack_live_command: live packs are unavailable"},
                {"ship.meld:*", "no --pier-root: a sandboxed job could write no pier"},
                {"ship.roll_chop:*", "no --pier-root: a sandboxed job could write no pier"},
                {"ship.frobnicate:*",
                 "no knob kind ship.frobnicate (ship knobs: ship.nice, ship.affinity, "
                 "ship.loom, ship.pack_live, ship.pack, ship.meld, ship.roll_chop)"}}));

  inputs.ships.pack_live_command = "/usr/local/bin/pack-live {ship}";
  inputs.pier_roots = {"/srv/piers/", "/home/urbit/piers"};
  plan = planSandbox(policy, {}, inputs);
  EXPECT_EQ(plan.read_write_paths,
            (Strings{"/etc/urbit", "/home/urbit/piers", "/srv/piers", "/var/lib/tidemark-agent"}));
  Strings capabilities = kJobCapabilities;
  capabilities.insert(capabilities.end(), {"CAP_BPF", "CAP_DAC_READ_SEARCH", "CAP_PERFMON",
                                          "CAP_SYS_NICE", "CAP_SYS_PTRACE"});
  EXPECT_EQ(plan.capabilities, sorted(capabilities));
  EXPECT_EQ(plan.why["/srv/piers"], (Strings{"ship.pack_live:*", "ship.meld:*", "ship.roll_chop:*"}));
  ASSERT_EQ(plan.unmatched.size(), 1u);
  EXPECT_EQ(plan.unmatched[0].knob, "ship.frobnicate:*");
}

TEST(SandboxPlan, LoomFolderIsTheParentOfTheFirstComponentNamingTheShip) {
  EXPECT_EQ(loomFolder("/etc/default/urbit-{ship}"), "/etc/default");
  EXPECT_EQ(loomFolder("/etc/urbit/{ship}/env"), "/etc/urbit");
  EXPECT_EQ(loomFolder("/srv/{ship}.d/{ship}.env"), "/srv");
  EXPECT_EQ(loomFolder("/etc/urbit/looms.env"), "/etc/urbit");
  EXPECT_EQ(loomFolder("/urbit-{ship}"), "/");
}

TEST(SandboxPlan, UnmatchedHostEntriesSayWhy) {
  TempDir root;
  testing::writeHostTree(root);
  root.write("proc/cmdline", "ro transparent_hugepage=never\n");
  const Policy policy = Policy::parse(R"(
[[allow]]
knob = "thp.enabled"
[[allow]]
knob = "net.nonsense"
[[allow]]
knob = "block.scheduler:sda"
[[allow]]
knob = "block.scheduler:nvme0n1"
[[allow]]
knob = "block.scheduler:*"
[[allow]]
knob = "nosuch.kind:*"
)",
                                      "(test)");
  const SandboxPlan plan = planSandbox(policy, knobsUnder(root.str()), inputsFor(root.str(), ""));
  EXPECT_EQ(plan.knobs, (Strings{"block.scheduler:nvme0n1", "block.scheduler:sda"}));
  EXPECT_EQ(plan.read_write_paths,
            (Strings{"/sys/block/nvme0n1/queue/scheduler", "/sys/block/sda/queue/scheduler"}));
  EXPECT_EQ(plan.unmatched,
            (std::vector<UnmatchedPolicyEntry>{
                {"thp.enabled",
                 "unavailable on this host: set on the kernel command line "
                 "(transparent_hugepage=never): left alone"},
                {"net.nonsense", "no knob net.nonsense on this host"},
                {"block.scheduler:*", "every block.scheduler knob here has an entry of its own"},
                {"nosuch.kind:*", "no nosuch.kind knob on this host"}}));
}

TEST(SandboxPlan, FromTheAgentsOptions) {
  AgentOptions options;
  options.root = fixturePath("hosts/sandbox") + "/";  // a trailing slash is stripped too
  options.state_dir = "/var/lib/tidemark-agent";
  options.pier_roots = {"/srv/piers"};
  options.tuning.policy = fixturePath("sandbox/policy.toml");
  options.tuning.loom_file = "/etc/urbit/{ship}.env";
  const SandboxPlan plan = planSandbox(options);
  EXPECT_EQ(plan.read_write_paths,
            (Strings{"/etc/urbit", "/proc/sys/vm/dirty_bytes", "/proc/sys/vm/dirty_ratio",
                     "/proc/sys/vm/swappiness", "/srv/piers", "/sys/block/nvme0n1/queue/scheduler",
                     "/sys/block/sda/queue/scheduler", "/var/lib/tidemark-agent"}));

  options.tuning.policy = fixturePath("sandbox/bad_policy.toml");
  try {
    planSandbox(options);
    FAIL() << "a bad policy";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(fixturePath("sandbox/bad_policy.toml")), std::string::npos)
        << e.what();
  }

  // The built-in default: live packs have no command, jobs need pier roots.
  options.tuning.policy.clear();
  options.pier_roots.clear();
  const SandboxPlan defaults = planSandbox(options);
  EXPECT_EQ(defaults.policy, "(built-in default)");
  Strings unmatched;
  for (const auto& entry : defaults.unmatched) unmatched.push_back(entry.knob);
  EXPECT_EQ(unmatched, (Strings{"vm.max_map_count",
                                "net.core.rmem_max", "net.core.wmem_max", "net.core.somaxconn",
                                "net.ipv4.tcp_congestion_control", "ship.pack_live:*",
                                "ship.pack:*", "ship.meld:*"}));
}

TEST(SandboxPlan, JsonHasTheKeysAnsibleReads) {
  SandboxPlan plan;
  plan.policy = "/etc/tidemark/policy.toml";
  plan.read_write_paths = {"/proc/sys/vm/swappiness"};
  plan.capabilities = {"CAP_DAC_READ_SEARCH"};
  plan.knobs = {"vm.swappiness"};
  plan.unmatched = {{"vm.max_map_count", "no knob vm.max_map_count on this host"}};
  plan.why = {{"/proc/sys/vm/swappiness", {"vm.swappiness"}}, {"CAP_DAC_READ_SEARCH", {"collection"}}};
  EXPECT_EQ(sandboxPlanJson(plan), nlohmann::json::parse(R"({
    "policy": "/etc/tidemark/policy.toml",
    "read_write_paths": ["/proc/sys/vm/swappiness"],
    "capabilities": ["CAP_DAC_READ_SEARCH"],
    "knobs": ["vm.swappiness"],
    "unmatched_policy_entries": [{"knob": "vm.max_map_count",
                                  "reason": "no knob vm.max_map_count on this host"}],
    "why": {"/proc/sys/vm/swappiness": ["vm.swappiness"], "CAP_DAC_READ_SEARCH": ["collection"]}
  })"));
  // Empty lists stay lists, an empty why an object.
  const nlohmann::json empty = sandboxPlanJson(SandboxPlan{});
  EXPECT_TRUE(empty["unmatched_policy_entries"].is_array());
  EXPECT_TRUE(empty["knobs"].is_array());
  EXPECT_TRUE(empty["why"].is_object());
}

}  // namespace
}  // namespace tidemark::agent::tuner
