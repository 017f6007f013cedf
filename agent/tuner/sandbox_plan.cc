#include "agent/tuner/sandbox_plan.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <utility>

#include "agent/tuner/host_knob_source.h"
#include "agent/tuner/make_tuner.h"

namespace tidemark::agent::tuner {

namespace {

// Collection reads other users' /proc/PID/io, /proc/PID/fd and pier folders.
constexpr const char* kCollection = "collection";
constexpr const char* kStateDir = "state_dir";

// Jobs run the ship's own tools on piers its user owns, stop and start it, and command
// templates may switch to that user.
const std::vector<std::string> kJobCapabilities = {"CAP_KILL",         "CAP_CHOWN",
                                                   "CAP_FOWNER",       "CAP_DAC_OVERRIDE",
                                                   "CAP_SETUID",       "CAP_SETGID"};

const std::vector<std::string> kShipKinds = {"ship.nice",     "ship.affinity", "ship.loom",
                                             "ship.pack_live", "ship.pack",    "ship.meld",
                                             "ship.roll_chop"};

bool isShipJob(const std::string& kind) {
  return kind == "ship.pack_live" || kind == "ship.pack" || kind == "ship.meld" ||
         kind == "ship.roll_chop";
}

// "block.scheduler" for "block.scheduler:sda" or "block.scheduler:*"; ids without a
// colon are their own kind.
std::string kindOf(const std::string& knob) { return knob.substr(0, knob.find(':')); }

bool isWildcard(const std::string& knob) {
  return knob.size() >= 2 && knob.compare(knob.size() - 2, 2, ":*") == 0;
}

// Lexically normal, absolute, no trailing slash ("/" stays "/").
std::string normalPath(const std::string& path) {
  std::string normal = std::filesystem::path(path).lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  if (normal.empty() || normal.front() != '/') normal.insert(0, "/");
  return normal;
}

// `path` as the knob sees it (under `root`) -> as on the host.
std::string hostPath(const std::string& root, const std::string& path) {
  std::string base = root;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  if (base.empty() || base == "/") return normalPath(path);
  if (path.compare(0, base.size(), base) == 0 &&
      (path.size() == base.size() || path[base.size()] == '/')) {
    return normalPath(path.size() == base.size() ? "/" : path.substr(base.size()));
  }
  return normalPath(path);
}

std::string joined(const std::vector<std::string>& words, const char* separator) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : separator) + word;
  return text;
}

class PlanBuilder {
 public:
  void grantPath(const std::string& path, const std::string& why) {
    add(paths_[path], why);
  }
  void grantCapability(const std::string& capability, const std::string& why) {
    add(capabilities_[capability], why);
  }
  void addKnob(const std::string& id) { knobs_.insert(id); }

  SandboxPlan finish(std::string policy, std::vector<UnmatchedPolicyEntry> unmatched) && {
    SandboxPlan plan;
    plan.policy = std::move(policy);
    for (auto& [path, why] : paths_) {
      plan.read_write_paths.push_back(path);
      plan.why[path] = std::move(why);
    }
    for (auto& [capability, why] : capabilities_) {
      plan.capabilities.push_back(capability);
      plan.why[capability] = std::move(why);
    }
    plan.knobs.assign(knobs_.begin(), knobs_.end());
    plan.unmatched = std::move(unmatched);
    return plan;
  }

 private:
  static void add(std::vector<std::string>& reasons, const std::string& why) {
    if (std::find(reasons.begin(), reasons.end(), why) == reasons.end()) reasons.push_back(why);
  }

  std::map<std::string, std::vector<std::string>> paths_;
  std::map<std::string, std::vector<std::string>> capabilities_;
  std::set<std::string> knobs_;
};

// What one policy entry found among the host knobs.
struct EntryMatch {
  bool matched = false;                   // some available knob is governed by it
  std::vector<std::string> unavailable;   // "thp.enabled: set on the kernel command line..."
};

// The reason a host entry (not ship.*) matched nothing here.
std::string hostEntryReason(const PolicyRule& rule, const EntryMatch& match,
                            const std::vector<KnobPtr>& host_knobs) {
  const std::string kind = kindOf(rule.knob);
  if (!match.unavailable.empty()) {
    if (!isWildcard(rule.knob)) {
      // "vm.max_map_count: no /proc/sys/vm/max_map_count on this kernel" -> the reason.
      const std::string& only = match.unavailable.front();
      return "unavailable on this host: " + only.substr(only.find(": ") + 2);
    }
    return "every " + kind + " knob here is unavailable (" + joined(match.unavailable, "; ") + ")";
  }
  if (!isWildcard(rule.knob)) return "no knob " + rule.knob + " on this host";
  const bool any_of_kind = std::any_of(host_knobs.begin(), host_knobs.end(),
                                       [&](const KnobPtr& knob) { return kindOf(knob->id()) == kind; });
  if (any_of_kind) return "every " + kind + " knob here has an entry of its own";
  return "no " + kind + " knob on this host";
}

}  // namespace

std::string loomFolder(const std::string& loom_file_template) {
  const std::filesystem::path file(loom_file_template);
  std::filesystem::path folder;
  for (const auto& component : file) {
    if (component.string().find("{ship}") != std::string::npos) return normalPath(folder.string());
    folder /= component;
  }
  return normalPath(file.parent_path().string());
}

SandboxPlan planSandbox(const Policy& policy, const std::vector<KnobPtr>& host_knobs,
                        const SandboxPlanInputs& inputs) {
  PlanBuilder plan;
  plan.grantCapability("CAP_DAC_READ_SEARCH", kCollection);
  plan.grantCapability("CAP_SYS_PTRACE", kCollection);
  // The ships' task iterator (ships/bpf_task_sampler.h): loading it needs both.
  plan.grantCapability("CAP_BPF", kCollection);
  plan.grantCapability("CAP_PERFMON", kCollection);
  if (!inputs.state_dir.empty()) {
    plan.grantPath(normalPath(std::filesystem::absolute(inputs.state_dir).string()), kStateDir);
  }

  std::vector<UnmatchedPolicyEntry> unmatched;
  if (inputs.tuning_disabled) {
    for (const PolicyRule& rule : policy.rules()) {
      unmatched.push_back({rule.knob, "tuning is disabled (--tuning-disabled): no knob is written"});
    }
    return std::move(plan).finish(policy.source(), std::move(unmatched));
  }

  // Host knobs: each available one governed by an entry gets its files (and a remount's
  // capability); the entry is matched.
  std::map<const PolicyRule*, EntryMatch> matches;
  for (const KnobPtr& knob : host_knobs) {
    const PolicyRule* rule = policy.ruleFor(knob->id());
    if (rule == nullptr) continue;
    const KnobProbe probe = knob->probe();
    if (!probe.available) {
      matches[rule].unavailable.push_back(knob->id() + ": " + probe.reason);
      continue;
    }
    matches[rule].matched = true;
    plan.addKnob(knob->id());
    for (const std::string& path : knob->writtenPaths()) {
      plan.grantPath(hostPath(inputs.root, path), knob->id());
    }
    if (kindOf(knob->id()) == "mount.atime") plan.grantCapability("CAP_SYS_ADMIN", knob->id());
  }

  for (const PolicyRule& rule : policy.rules()) {
    const std::string kind = kindOf(rule.knob);
    if (kind.rfind("ship.", 0) != 0) {
      const EntryMatch& match = matches[&rule];
      if (!match.matched) unmatched.push_back({rule.knob, hostEntryReason(rule, match, host_knobs)});
      continue;
    }
    // Ship knobs by kind: ships come and go, the grants do not.
    if (std::find(kShipKinds.begin(), kShipKinds.end(), kind) == kShipKinds.end()) {
      unmatched.push_back({rule.knob, "no knob kind " + kind + " (ship knobs: " +
                                          joined(kShipKinds, ", ") + ")"});
      continue;
    }
    if (kind == "ship.pack_live" && inputs.ships.pack_live_command.empty()) {
      unmatched.push_back({rule.knob, "no tuning.pack_live_command: live packs are unavailable"});
      continue;
    }
    if (isShipJob(kind) && inputs.pier_roots.empty()) {
      unmatched.push_back({rule.knob, "no --pier-root: a sandboxed job could write no pier"});
      continue;
    }
    plan.addKnob(rule.knob);
    if (kind == "ship.nice" || kind == "ship.affinity") {
      plan.grantCapability("CAP_SYS_NICE", rule.knob);
    } else if (kind == "ship.loom") {
      plan.grantPath(loomFolder(inputs.ships.loom_file), rule.knob);
    } else {
      for (const std::string& pier_root : inputs.pier_roots) {
        plan.grantPath(normalPath(pier_root), rule.knob);
      }
      for (const std::string& capability : kJobCapabilities) {
        plan.grantCapability(capability, rule.knob);
      }
    }
  }
  return std::move(plan).finish(policy.source(), std::move(unmatched));
}

SandboxPlan planSandbox(const AgentOptions& options) {
  const Policy policy = loadAgentPolicy(options.tuning);
  std::vector<KnobPtr> host_knobs;
  makeHostKnobSource(agentTunerOptions(options))->addKnobs(host_knobs);
  SandboxPlanInputs inputs;
  inputs.root = options.root;
  inputs.state_dir = options.state_dir;
  inputs.ships = agentShipTuningOptions(options);
  inputs.pier_roots = options.pier_roots;
  inputs.tuning_disabled = options.tuning.disabled;
  return planSandbox(policy, host_knobs, inputs);
}

nlohmann::json sandboxPlanJson(const SandboxPlan& plan) {
  nlohmann::json unmatched = nlohmann::json::array();
  for (const auto& entry : plan.unmatched) {
    unmatched.push_back({{"knob", entry.knob}, {"reason", entry.reason}});
  }
  nlohmann::json why = nlohmann::json::object();
  for (const auto& [name, reasons] : plan.why) why[name] = reasons;
  return nlohmann::json{{"policy", plan.policy},
                        {"read_write_paths", plan.read_write_paths},
                        {"capabilities", plan.capabilities},
                        {"knobs", plan.knobs},
                        {"unmatched_policy_entries", std::move(unmatched)},
                        {"why", std::move(why)}};
}

}  // namespace tidemark::agent::tuner
