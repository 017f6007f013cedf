#include "controller/planner/triggers/trigger_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include "common/config/duration.h"
#include "common/errors/error.h"
#include "common/metrics/series.h"

namespace tidemark::controller {

namespace {

const std::set<std::string> kKnownKeys = {"name",         "resource",    "metric", "condition",
                                          "duration",     "clear_margin", "clear_after",
                                          "action",       "severity",    "enabled"};

struct ByteUnit {
  std::string_view suffix;
  double factor;
};
// Longest suffixes first, so "GiB" is not read as "B".
constexpr ByteUnit kByteUnits[] = {
    {"KiB", 1024.0}, {"MiB", 1024.0 * 1024}, {"GiB", 1024.0 * 1024 * 1024},
    {"TiB", 1024.0 * 1024 * 1024 * 1024}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
    {"B", 1.0}};

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

class RuleReader {
 public:
  RuleReader(const toml::table& table, const std::string& source, size_t index)
      : table_(table), source_(source), index_(index) {}

  // Identifies the rule in messages before its name is known.
  void setName(const std::string& name) { name_ = name; }

  [[noreturn]] void fail(const std::string& key, const std::string& value,
                         const std::string& why) const {
    std::string rule = name_.empty() ? "[[trigger]] #" + std::to_string(index_ + 1)
                                     : "trigger '" + name_ + "'";
    std::string where = key.empty() ? "" : ": key '" + key + "'";
    std::string shown = value.empty() ? "" : " = '" + value + "'";
    throw ConfigError(source_ + ": " + rule + where + shown + ": " + why);
  }

  std::optional<std::string> string(const std::string& key) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    if (auto value = node->value<std::string>(); value && node->is_string()) return *value;
    fail(key, "", "expected a string");
  }

  std::optional<bool> boolean(const std::string& key) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_boolean()) fail(key, "", "expected true or false");
    return node->value<bool>();
  }

  std::optional<int64_t> durationMs(const std::string& key) const {
    auto text = string(key);
    if (!text) return std::nullopt;
    auto ms = parseDurationMs(*text);
    if (!ms || *ms < 0) fail(key, *text, "expected a duration such as 30s, 15m, 1h or 7d");
    return *ms;
  }

  void checkKeys() const {
    for (const auto& [key, node] : table_) {
      std::string name(key.str());
      if (!kKnownKeys.contains(name)) {
        std::string known;
        for (const auto& k : kKnownKeys) known += (known.empty() ? "" : ", ") + k;
        fail(name, "", "unknown key (known keys: " + known + ")");
      }
    }
  }

 private:
  const toml::table& table_;
  const std::string& source_;
  size_t index_;
  std::string name_;
};

// Applies the keys of one [[trigger]] table to `rule` (a default rule or a fresh one).
void applyTable(const RuleReader& reader, bool is_new, TriggerRule& rule) {
  if (auto resource = reader.string("resource")) {
    auto parsed = parseResource(*resource);
    if (!parsed) {
      reader.fail("resource", *resource,
                  "expected memory, disk, cpu, disk_io, network, ships, loom, pier_growth, "
                  "ship_down or metric");
    }
    rule.resource = *parsed;
  } else if (is_new && !reader.string("metric")) {
    reader.fail("resource", "", "a new rule needs a resource (or a metric)");
  }
  if (auto metric = reader.string("metric")) {
    if (!isValidMetricName(*metric)) reader.fail("metric", *metric, "not a metric name");
    if (!reader.string("resource")) rule.resource = TriggerResource::kMetric;
    if (rule.resource != TriggerResource::kMetric) {
      reader.fail("metric", *metric, "only rules with resource = \"metric\" name a metric");
    }
    rule.metric = *metric;
  }
  if (rule.resource == TriggerResource::kMetric && rule.metric.empty()) {
    reader.fail("metric", "", "resource \"metric\" needs the metric's name");
  }
  const bool margin_given = reader.string("clear_margin").has_value();
  if (auto condition = reader.string("condition")) {
    if (std::string why = parseCondition(*condition, rule); !why.empty()) {
      reader.fail("condition", *condition, why);
    }
    // A margin in the threshold's own unit: 5 points of a ratio, a tenth of an amount.
    if (!margin_given) rule.clear_margin = rule.ratio ? 0.05 : std::abs(rule.threshold) * 0.1;
  } else if (is_new) {
    reader.fail("condition", "", "a new rule needs a condition such as \"> 80%\"");
  }
  if (auto margin = reader.string("clear_margin")) {
    TriggerRule scratch = rule;
    if (std::string why = parseCondition("> " + *margin, scratch); !why.empty()) {
      reader.fail("clear_margin", *margin, why);
    }
    if (scratch.threshold < 0) reader.fail("clear_margin", *margin, "must not be negative");
    if (scratch.ratio != rule.ratio) {
      reader.fail("clear_margin", *margin,
                  "use the threshold's unit (a percentage for a ratio, an amount otherwise)");
    }
    rule.clear_margin = scratch.threshold;
  }
  if (auto duration = reader.durationMs("duration")) rule.duration_ms = *duration;
  if (auto clear_after = reader.durationMs("clear_after")) rule.clear_after_ms = *clear_after;
  if (auto action = reader.string("action")) {
    auto parsed = parseAction(*action);
    if (!parsed) reader.fail("action", *action, "expected scale_up, scale_out, maintenance or tune");
    rule.action = *parsed;
  }
  if (auto severity = reader.string("severity")) {
    auto parsed = parseSeverity(*severity);
    if (!parsed) reader.fail("severity", *severity, "expected info, warning or critical");
    rule.severity = *parsed;
  }
}

}  // namespace

std::string parseCondition(std::string_view text, TriggerRule& rule) {
  std::string_view rest = trim(text);
  TriggerRule::Comparison comparison;
  if (rest.starts_with(">=")) comparison = TriggerRule::Comparison::kGreaterEqual;
  else if (rest.starts_with("<=")) comparison = TriggerRule::Comparison::kLessEqual;
  else if (rest.starts_with(">")) comparison = TriggerRule::Comparison::kGreater;
  else if (rest.starts_with("<")) comparison = TriggerRule::Comparison::kLess;
  else return "expected >, >=, < or <= then a threshold, such as \"> 80%\"";
  rest.remove_prefix(comparison == TriggerRule::Comparison::kGreaterEqual ||
                             comparison == TriggerRule::Comparison::kLessEqual
                         ? 2
                         : 1);
  rest = trim(rest);
  double number = 0;
  auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), number);
  if (error != std::errc() || !std::isfinite(number)) return "the threshold is not a number";
  std::string_view unit = trim(std::string_view(end, rest.data() + rest.size() - end));
  bool ratio;
  if (unit == "%") {
    number /= 100;
    ratio = true;
  } else if (unit.empty()) {
    ratio = resourceHasCapacity(rule.resource);
    if (ratio && (number < 0 || number > 1)) {
      return "a bare number on " + std::string(resourceName(rule.resource)) +
             " is a ratio of capacity (0 to 1); write a percentage (\"> 80%\") or bytes (\"> 10GB\")";
    }
  } else {
    auto found = std::find_if(std::begin(kByteUnits), std::end(kByteUnits),
                              [&](const ByteUnit& u) { return unit == u.suffix; });
    if (found == std::end(kByteUnits)) {
      return "unknown unit '" + std::string(unit) + "' (use %, B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)";
    }
    number *= found->factor;
    ratio = false;
    if (rule.resource == TriggerResource::kCpu || rule.resource == TriggerResource::kDiskIo) {
      return std::string(resourceName(rule.resource)) + " is a share of time: write a percentage";
    }
  }
  if (ratio && !resourceHasCapacity(rule.resource) && rule.resource != TriggerResource::kMetric) {
    return std::string(resourceName(rule.resource)) +
           " has no capacity to take a percentage of: write an amount";
  }
  rule.comparison = comparison;
  rule.threshold = number;
  rule.ratio = ratio;
  return "";
}

std::vector<TriggerRule> parseTriggerRules(const toml::table& config, const std::string& source) {
  std::vector<TriggerRule> rules = defaultTriggerRules();
  const toml::node* node = config.get("trigger");
  if (node == nullptr) return rules;
  const toml::array* tables = node->as_array();
  if (tables == nullptr) {
    throw ConfigError(source + ": 'trigger' must be an array of tables: write each rule as [[trigger]]");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < tables->size(); ++i) {
    const toml::table* table = tables->get(i)->as_table();
    if (table == nullptr) throw ConfigError(source + ": [[trigger]] #" + std::to_string(i + 1) + " is not a table");
    RuleReader reader(*table, source, i);
    auto name = reader.string("name");
    if (!name || name->empty()) reader.fail("name", "", "every rule needs a name");
    reader.setName(*name);
    if (!isValidLabelName(*name)) {
      reader.fail("name", *name, "use letters, digits and underscores (it keys the rule's state)");
    }
    if (!seen.insert(*name).second) reader.fail("name", *name, "a second rule with this name");
    reader.checkKeys();
    auto existing = std::find_if(rules.begin(), rules.end(),
                                 [&](const TriggerRule& r) { return r.name == *name; });
    if (reader.boolean("enabled") == false) {
      if (existing != rules.end()) rules.erase(existing);
      continue;
    }
    const bool is_new = existing == rules.end();
    TriggerRule rule = is_new ? TriggerRule{} : *existing;
    rule.name = *name;
    applyTable(reader, is_new, rule);
    if (is_new) rules.push_back(std::move(rule));
    else *existing = std::move(rule);
  }
  return rules;
}

std::vector<TriggerRule> loadTriggerRules(const std::string& path) {
  if (path.empty()) return defaultTriggerRules();
  try {
    return parseTriggerRules(toml::parse_file(path), path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw ConfigError(path + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                      ": " + std::string(e.description()));
  }
}

}  // namespace tidemark::controller
