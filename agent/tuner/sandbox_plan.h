// What a sandboxed agent needs on this host, worked out from its local policy: the files
// and folders it must write (systemd ReadWritePaths=) and the capabilities it must keep
// (CapabilityBoundingSet=). `tidemark-agent --print-sandbox` prints it as JSON for the
// Ansible role that writes the unit's drop-in (README, Tuning: Sandbox).
//
// A knob counts when the policy mentions it (its exact entry or its kind's ":*"): host
// knobs as this host has them now (available ones only), ship knobs by kind, whatever
// ships come and go (paths from the loom file template and the pier roots).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/agent_options.h"
#include "agent/tuner/knob.h"
#include "agent/tuner/policy.h"
#include "agent/tuner/ship_tuning_options.h"

namespace tidemark::agent::tuner {

// A policy entry that makes no difference on this host, and why.
struct UnmatchedPolicyEntry {
  std::string knob;    // the entry's knob, as written ("block.read_ahead_kb:*")
  std::string reason;  // "no block.read_ahead_kb knob on this host"
  bool operator==(const UnmatchedPolicyEntry&) const = default;
};

struct SandboxPlan {
  std::string policy;                           // the policy's source
  std::vector<std::string> read_write_paths;    // sorted, unique, absolute host paths
  std::vector<std::string> capabilities;        // sorted, unique: "CAP_SYS_NICE"
  std::vector<std::string> knobs;               // host knob ids and ship entries, sorted
  std::vector<UnmatchedPolicyEntry> unmatched;  // in the policy's order
  // Each path and capability: the knobs (or "collection", "state_dir") that need it.
  std::map<std::string, std::vector<std::string>> why;
};

// Everything but the policy and the host knobs.
struct SandboxPlanInputs {
  // The root the host knobs were built with; stripped from their written paths.
  std::string root = "/";
  // The agent's state folder (journal, outbox, maintenance log): always writable.
  std::string state_dir;
  // The ship knobs' options: the loom file template, the live pack command.
  ShipTuningOptions ships;
  // --pier-root folders: what maintenance jobs write.
  std::vector<std::string> pier_roots;
  // --tuning-disabled: no knob is ever written, so no knob gets anything.
  bool tuning_disabled = false;
};

// The plan for `host_knobs` (this host's, built by the host knob source) under `policy`.
SandboxPlan planSandbox(const Policy& policy, const std::vector<KnobPtr>& host_knobs,
                        const SandboxPlanInputs& inputs);

// The plan for the agent these options describe: its policy (--policy or the built-in
// default), the host knobs as its tuner builds them under --root, its ship options and
// pier roots. Throws ConfigError (a bad policy file, a bad extra sysctl).
SandboxPlan planSandbox(const AgentOptions& options);

// The folder a ship's loom file is replaced in, for a loom_file template: the parent of
// the first component holding {ship} ("/etc/default/urbit-{ship}" -> "/etc/default",
// "/etc/urbit/{ship}/env" -> "/etc/urbit"), else the file's folder.
std::string loomFolder(const std::string& loom_file_template);

// {"policy", "read_write_paths", "capabilities", "knobs", "unmatched_policy_entries":
// [{"knob", "reason"}], "why": {PATH or CAP: [knob...]}}.
nlohmann::json sandboxPlanJson(const SandboxPlan& plan);

}  // namespace tidemark::agent::tuner
