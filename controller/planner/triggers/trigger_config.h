// Reads trigger rules from the controller's TOML config: every `[[trigger]]` table
// is a rule. A rule named like a default rule changes only the keys it sets (and
// `enabled = false` drops it); other names are new rules. Errors name the file, the
// rule, the key, the value and why.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "controller/planner/triggers/trigger_rule.h"

namespace tidemark::controller {

// The rules in effect: the defaults overlaid with `[[trigger]]` tables of `config`.
// `source` names the file in messages. Throws ConfigError.
std::vector<TriggerRule> parseTriggerRules(const toml::table& config, const std::string& source);

// The same from a file; the defaults alone when `path` is empty. Throws ConfigError.
std::vector<TriggerRule> loadTriggerRules(const std::string& path);

// Parses a condition such as "> 80%", ">= 10", "< 0.2", "> 10GB" into `rule`
// (comparison, threshold, ratio). Percentages and bare numbers on a resource with a
// capacity are ratios; byte units (B, KB, MB, GB, TB, KiB .. TiB) are absolute.
// Returns an empty string, or why the text is not a condition for this rule.
std::string parseCondition(std::string_view text, TriggerRule& rule);

}  // namespace tidemark::controller
