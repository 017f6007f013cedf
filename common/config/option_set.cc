#include "common/config/option_set.h"

#include <toml++/toml.h>

#include <algorithm>
#include <set>

#include "common/config/duration.h"
#include "common/errors/error.h"

namespace tidemark {

void parseCommandLine(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    throw CommandLineExit{app.exit(e)};
  }
}

// A raw value from one source, before it is converted to the target's type.
struct RawValue {
  std::string source;  // "--interval" or "agent.toml: key 'interval'"
  std::vector<std::string> strings;
  const toml::node* node = nullptr;  // set when the value came from the file
};

struct OptionSet::Option {
  std::string key;
  std::string flag;
  bool required = false;
  bool is_flag = false;
  bool is_table = false;  // its TOML value is a whole table, not a leaf
  std::vector<std::string> cli_values;  // filled by CLI11
  bool cli_flag = false;
  CLI::Option* cli_option = nullptr;
  std::function<void(const RawValue&)> apply;
};

std::string flagForKey(const std::string& key) {
  std::string flag = "--" + key;
  std::replace(flag.begin(), flag.end(), '_', '-');
  std::replace(flag.begin(), flag.end(), '.', '-');
  return flag;
}

OptionSet::OptionSet(CLI::App& app) : app_(app) {
  app_.add_option("--config", config_path_, "TOML file with options (flags override it)");
}

OptionSet::~OptionSet() = default;

OptionSet::Option& OptionSet::add(const std::string& key, const std::string& help,
                                  bool is_flag, const std::string& flag) {
  auto option = std::make_unique<Option>();
  option->key = key;
  option->flag = flag.empty() ? flagForKey(key) : flag;
  option->is_flag = is_flag;
  if (is_flag) {
    option->cli_option = app_.add_flag(option->flag, option->cli_flag, help);
  } else {
    option->cli_option = app_.add_option(option->flag, option->cli_values, help);
  }
  options_.push_back(std::move(option));
  return *options_.back();
}

namespace {

[[noreturn]] void fail(const RawValue& raw, const std::string& value, const std::string& why) {
  throw ConfigError(raw.source + ": " + (value.empty() ? "" : "\"" + value + "\" ") + why);
}

std::string singleString(const RawValue& raw, const char* expected) {
  if (raw.node != nullptr) {
    if (auto s = raw.node->value<std::string>(); s && raw.node->is_string()) return *s;
    fail(raw, "", std::string("must be ") + expected);
  }
  if (raw.strings.size() != 1) fail(raw, "", "takes exactly one value");
  return raw.strings.front();
}

}  // namespace

void OptionSet::addString(const std::string& key, std::string* target, const std::string& help) {
  add(key, help, false).apply = [target](const RawValue& raw) {
    *target = singleString(raw, "a string");
    if (target->empty()) fail(raw, "", "must not be empty");
  };
}

void OptionSet::addStringList(const std::string& key, std::vector<std::string>* target,
                              const std::string& help, const std::string& flag) {
  auto& option = add(key, help, false, flag);
  option.cli_option->allow_extra_args(false);
  option.apply = [target](const RawValue& raw) {
    target->clear();
    if (raw.node == nullptr) {
      *target = raw.strings;
      return;
    }
    const toml::array* array = raw.node->as_array();
    if (array == nullptr) fail(raw, "", "must be an array of strings");
    for (const auto& element : *array) {
      if (!element.is_string()) fail(raw, "", "must be an array of strings");
      target->push_back(*element.value<std::string>());
    }
  };
}

void OptionSet::addStringMap(const std::string& key, std::map<std::string, std::string>* target,
                             const std::string& help, const std::string& flag) {
  auto& option = add(key, help, false, flag);
  option.is_table = true;
  option.cli_option->allow_extra_args(false);
  option.apply = [target](const RawValue& raw) {
    target->clear();
    if (raw.node == nullptr) {
      for (const std::string& pair : raw.strings) {
        const size_t equals = pair.find('=');
        if (equals == 0 || equals == std::string::npos || equals + 1 == pair.size()) {
          fail(raw, pair, "must be NAME=VALUE with both parts non-empty");
        }
        (*target)[pair.substr(0, equals)] = pair.substr(equals + 1);
      }
      return;
    }
    const toml::table* table = raw.node->as_table();
    if (table == nullptr) fail(raw, "", "must be a table of strings");
    for (const auto& [name, value] : *table) {
      if (!value.is_string() || value.value<std::string>()->empty()) {
        fail(raw, std::string(name.str()), "must map to a non-empty string");
      }
      (*target)[std::string(name.str())] = *value.value<std::string>();
    }
  };
}

void OptionSet::addFlag(const std::string& key, bool* target, const std::string& help) {
  auto& option = add(key, help, true);
  // From the command line: what CLI11 parsed ("--x" is true, "--x=false" is false).
  const bool* from_cli = &option.cli_flag;
  option.apply = [target, from_cli](const RawValue& raw) {
    if (raw.node == nullptr) {
      *target = *from_cli;
      return;
    }
    if (!raw.node->is_boolean()) fail(raw, "", "must be true or false");
    *target = *raw.node->value<bool>();
  };
}

void OptionSet::addDurationMs(const std::string& key, int64_t* target_ms,
                              const std::string& help) {
  add(key, help, false).apply = [target_ms](const RawValue& raw) {
    std::string text = singleString(raw, "a duration string such as \"10s\"");
    auto ms = parseDurationMs(text);
    if (!ms) fail(raw, text, "is not a duration (write it like 500ms, 10s, 5m, 1h, 30d)");
    *target_ms = *ms;
  };
}

void OptionSet::addInteger(const std::string& key, int64_t* target, int64_t min, int64_t max,
                           const std::string& help) {
  add(key, help, false).apply = [target, min, max](const RawValue& raw) {
    int64_t value = 0;
    std::string text;
    if (raw.node != nullptr) {
      if (!raw.node->is_integer()) fail(raw, "", "must be an integer");
      value = *raw.node->value<int64_t>();
      text = std::to_string(value);
    } else {
      text = singleString(raw, "an integer");
      try {
        size_t used = 0;
        value = std::stoll(text, &used);
        if (used != text.size()) throw std::invalid_argument(text);
      } catch (const std::exception&) {
        fail(raw, text, "is not an integer");
      }
    }
    if (value < min || value > max) {
      fail(raw, text, "is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    *target = value;
  };
}

void OptionSet::require(const std::string& key) {
  for (auto& option : options_)
    if (option->key == key) option->required = true;
}

namespace {

// Collects the dotted paths of every leaf value in the file; a table that is one
// option's whole value (`table_keys`) counts as a leaf.
void collectKeys(const toml::table& table, const std::string& prefix,
                 const std::set<std::string>& table_keys,
                 std::vector<std::pair<std::string, const toml::node*>>& out) {
  for (const auto& [name, node] : table) {
    std::string key = prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
    const auto* sub = node.as_table();
    if (sub != nullptr && !table_keys.contains(key)) {
      collectKeys(*sub, key, table_keys, out);
    } else {
      out.emplace_back(key, &node);
    }
  }
}

}  // namespace

void OptionSet::resolve() {
  toml::table file;
  std::vector<std::pair<std::string, const toml::node*>> file_keys;
  if (!config_path_.empty()) {
    try {
      file = toml::parse_file(config_path_);
    } catch (const toml::parse_error& e) {
      const auto& where = e.source().begin;
      throw ConfigError(config_path_ + ":" + std::to_string(where.line) + ":" +
                        std::to_string(where.column) + ": " + std::string(e.description()));
    }
    std::set<std::string> table_keys;
    for (const auto& option : options_)
      if (option->is_table) table_keys.insert(option->key);
    for (const auto& key : external_keys_) file.erase(key);
    collectKeys(file, "", table_keys, file_keys);
    std::set<std::string> known;
    for (const auto& option : options_) known.insert(option->key);
    for (const auto& [key, node] : file_keys) {
      if (!known.count(key)) {
        std::string all;
        for (const auto& k : known) all += (all.empty() ? "" : ", ") + k;
        throw ConfigError(config_path_ + ": unknown key '" + key + "' (known keys: " + all + ")");
      }
    }
  }
  for (const auto& option : options_) {
    bool on_command_line = option->cli_option->count() > 0;
    if (on_command_line) {
      RawValue raw{option->flag, option->cli_values, nullptr};
      option->apply(raw);
      continue;
    }
    auto found = std::find_if(file_keys.begin(), file_keys.end(),
                              [&](const auto& entry) { return entry.first == option->key; });
    if (found != file_keys.end()) {
      RawValue raw{config_path_ + ": key '" + option->key + "'", {}, found->second};
      option->apply(raw);
      continue;
    }
    if (option->required) {
      throw ConfigError("missing required option " + option->flag + " (or key '" + option->key +
                        "' in a --config file)");
    }
  }
}

}  // namespace tidemark
