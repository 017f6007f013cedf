// The agent's local allow-list: which knobs an approved change may touch on this host
// and to which values, whatever the controller says. Read from a TOML file
// (`--policy FILE`) or the built-in default; anything not allowed is refused with why.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tidemark::agent::tuner {

// One [[allow]] table.
struct PolicyRule {
  std::string knob;                 // a knob id, or a kind with ":*" ("block.scheduler:*")
  std::optional<int64_t> min;       // integer knobs: inclusive bounds
  std::optional<int64_t> max;
  std::vector<std::string> values;  // enum knobs: the allowed words
  int line = 0;                     // where it was read; 0 for the built-in default
  // No bounds and no values: any value (maintenance jobs, whose value is "run").
  bool allowsAnyValue() const { return !min && !max && values.empty(); }
};

class Policy {
 public:
  // Reads a policy file. Throws std::runtime_error (ConfigError) naming the path, the
  // line and why: bad TOML, unknown keys, a missing knob, min > max, values together
  // with min/max, a knob listed twice.
  static Policy load(const std::string& path);
  // Parses TOML text; `source` names it in messages (a path, or "(test)").
  static Policy parse(const std::string& text, const std::string& source);
  // The policy shipped with the agent (agent/tuner/default_policy.toml says the same):
  // the catalog's own recommendations within safe ranges, nothing else.
  static Policy defaults();

  // "" when `knob` may be set to `value`; else why not, naming the policy's source:
  // "policy /etc/tidemark/policy.toml does not allow vm.swappiness = 80 (allowed 1..60)".
  std::string check(const std::string& knob, const std::string& value) const;
  // The entry that governs `knob_id` (its exact entry, else its kind's ":*" entry), or
  // nullptr: what check() looks at. mentions() says whether there is one.
  const PolicyRule* ruleFor(const std::string& knob_id) const { return find(knob_id); }
  bool mentions(const std::string& knob_id) const { return find(knob_id) != nullptr; }
  // The file's path, or "(built-in default)".
  std::string source() const { return source_; }
  const std::vector<PolicyRule>& rules() const { return rules_; }

 private:
  Policy(std::string source, std::vector<PolicyRule> rules)
      : source_(std::move(source)), rules_(std::move(rules)) {}
  // The exact entry for `knob`, else its kind's wildcard entry, else nullptr.
  const PolicyRule* find(const std::string& knob) const;

  std::string source_;
  std::vector<PolicyRule> rules_;
};

}  // namespace tidemark::agent::tuner
