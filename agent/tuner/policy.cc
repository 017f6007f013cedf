#include "agent/tuner/policy.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "agent/tuner/knob_files.h"
#include "common/errors/error.h"

namespace tidemark::agent::tuner {

namespace {

constexpr const char* kBuiltInSource = "(built-in default)";

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : ", ") + word;
  return text;
}

std::string allowedText(const PolicyRule& rule) {
  if (!rule.values.empty()) return joined(rule.values);
  if (rule.min && rule.max) return std::to_string(*rule.min) + ".." + std::to_string(*rule.max);
  if (rule.min) return "at least " + std::to_string(*rule.min);
  return "at most " + std::to_string(*rule.max);
}

class RuleParser {
 public:
  RuleParser(const std::string& source, const toml::table& table, size_t index)
      : source_(source), table_(table), index_(index) {}

  PolicyRule parse() {
    PolicyRule rule;
    rule.line = static_cast<int>(table_.source().begin.line);
    for (const auto& [key, node] : table_) {
      const std::string name(key.str());
      if (name != "knob" && name != "min" && name != "max" && name != "values") {
        fail(node, "unknown key '" + name + "' (known keys: knob, min, max, values)");
      }
    }
    const toml::node* knob = table_.get("knob");
    if (knob == nullptr) fail(table_, "no knob (a knob id, or a kind with \":*\")");
    if (!knob->is_string() || knob->value<std::string>()->empty()) {
      fail(*knob, "knob must be a non-empty string");
    }
    rule.knob = *knob->value<std::string>();
    const size_t star = rule.knob.find('*');
    if (star != std::string::npos &&
        (star + 1 != rule.knob.size() || star < 2 || rule.knob[star - 1] != ':')) {
      fail(*knob, "knob '" + rule.knob + "': a wildcard is a kind followed by \":*\"");
    }
    rule.min = integer("min");
    rule.max = integer("max");
    if (const toml::node* values = table_.get("values")) {
      const toml::array* array = values->as_array();
      if (array == nullptr) fail(*values, "values must be an array of strings");
      for (const toml::node& value : *array) {
        if (!value.is_string()) fail(value, "values must be an array of strings");
        rule.values.push_back(*value.value<std::string>());
      }
      if (rule.values.empty()) {
        fail(*values, "values is empty: leave the knob out to allow nothing");
      }
      if (rule.min || rule.max) {
        fail(*values, "knob '" + rule.knob + "' has both values and min/max: use one");
      }
    }
    if (rule.min && rule.max && *rule.min > *rule.max) {
      fail(*table_.get("min"), "knob '" + rule.knob + "': min " + std::to_string(*rule.min) +
                                   " > max " + std::to_string(*rule.max));
    }
    return rule;
  }

 private:
  std::optional<int64_t> integer(const char* key) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_integer()) fail(*node, std::string(key) + " must be an integer");
    return node->value<int64_t>();
  }

  [[noreturn]] void fail(const toml::node& node, const std::string& why) const {
    throw ConfigError(source_ + ":" + std::to_string(node.source().begin.line) + ": [[allow]] #" +
                      std::to_string(index_ + 1) + ": " + why);
  }

  const std::string& source_;
  const toml::table& table_;
  size_t index_;
};

}  // namespace

Policy Policy::parse(const std::string& text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw ConfigError(source + ":" + std::to_string(e.source().begin.line) + ": " +
                      std::string(e.description()));
  }
  std::vector<PolicyRule> rules;
  for (const auto& [key, node] : root) {
    if (key.str() != "allow") {
      throw ConfigError(source + ":" + std::to_string(node.source().begin.line) +
                        ": unknown key '" + std::string(key.str()) +
                        "' (a policy holds only [[allow]] tables)");
    }
  }
  if (const toml::node* allow = root.get("allow")) {
    const toml::array* array = allow->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      throw ConfigError(source + ":" + std::to_string(allow->source().begin.line) +
                        ": allow must be [[allow]] tables");
    }
    for (size_t i = 0; i < array->size(); ++i) {
      PolicyRule rule = RuleParser(source, *array->get(i)->as_table(), i).parse();
      for (const auto& seen : rules) {
        if (seen.knob == rule.knob) {
          throw ConfigError(source + ":" + std::to_string(rule.line) + ": [[allow]] #" +
                            std::to_string(i + 1) + ": knob '" + rule.knob +
                            "' is already allowed at line " + std::to_string(seen.line));
        }
      }
      rules.push_back(std::move(rule));
    }
  }
  return Policy(source, std::move(rules));
}

Policy Policy::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("policy " + path + ": cannot open: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

Policy Policy::defaults() {
  const auto range = [](std::string knob, int64_t min, int64_t max) {
    PolicyRule rule;
    rule.knob = std::move(knob);
    rule.min = min;
    rule.max = max;
    return rule;
  };
  const auto words = [](std::string knob, std::vector<std::string> values) {
    PolicyRule rule;
    rule.knob = std::move(knob);
    rule.values = std::move(values);
    return rule;
  };
  std::vector<PolicyRule> rules = {
      range("vm.swappiness", 1, 60),
      range("vm.dirty_ratio", 5, 40),
      range("vm.dirty_background_ratio", 1, 20),
      range("vm.max_map_count", 65530, 4194304),
      range("net.core.rmem_max", 212992, 67108864),
      range("net.core.wmem_max", 212992, 67108864),
      range("net.core.somaxconn", 128, 65535),
      words("net.ipv4.tcp_congestion_control", {"bbr", "cubic"}),
      words("block.scheduler:*", {"none", "mq-deadline", "bfq"}),
      range("block.read_ahead_kb:*", 128, 8192),
      words("thp.enabled", {"madvise", "never"}),
      words("thp.defrag", {"madvise", "never"}),
      words("mount.atime:*", {"noatime", "relatime"}),
      range("ship.nice:*", -10, 0),
      range("ship.loom:*", 31, 34),
      words("ship.pack_live:*", {"run"}),
      words("ship.pack:*", {"run"}),
      words("ship.meld:*", {"run"}),
  };
  return Policy(kBuiltInSource, std::move(rules));
}

const PolicyRule* Policy::find(const std::string& knob) const {
  for (const auto& rule : rules_) {
    if (rule.knob == knob) return &rule;
  }
  const size_t colon = knob.find(':');
  if (colon == std::string::npos) return nullptr;
  const std::string wildcard = knob.substr(0, colon + 1) + "*";
  for (const auto& rule : rules_) {
    if (rule.knob == wildcard) return &rule;
  }
  return nullptr;
}

std::string Policy::check(const std::string& knob, const std::string& value) const {
  const PolicyRule* rule = find(knob);
  if (rule == nullptr) return "policy " + source_ + " has no entry for " + knob;
  if (rule->allowsAnyValue()) return "";
  bool allowed = false;
  if (!rule->values.empty()) {
    allowed = std::find(rule->values.begin(), rule->values.end(), value) != rule->values.end();
  } else if (const auto number = parseCanonicalInteger(value)) {
    allowed = (!rule->min || *number >= *rule->min) && (!rule->max || *number <= *rule->max);
  }
  if (allowed) return "";
  return "policy " + source_ + " does not allow " + knob + " = " + value + " (allowed " +
         allowedText(*rule) + ")";
}

}  // namespace tidemark::agent::tuner
