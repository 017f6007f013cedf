#include "agent/tuner/service_config.h"

#include <vector>

namespace tidemark::agent::tuner {
namespace {

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    lines.push_back(text.substr(0, newline));
    if (newline == std::string_view::npos) break;
    text.remove_prefix(newline + 1);
  }
  return lines;
}

std::string_view trimLeft(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

// The value part when `line` sets `key`.
std::optional<std::string_view> valueIfSets(std::string_view line, std::string_view key) {
  line = trimLeft(line);
  if (line.starts_with("export ")) line = trimLeft(line.substr(7));
  if (!line.starts_with(key)) return std::nullopt;
  line = trimLeft(line.substr(key.size()));
  if (!line.starts_with('=')) return std::nullopt;
  line = trimLeft(line.substr(1));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
    line.remove_suffix(1);
  if (line.size() >= 2 && (line.front() == '"' || line.front() == '\'') &&
      line.back() == line.front()) {
    line = line.substr(1, line.size() - 2);
  }
  return line;
}

}  // namespace

std::optional<std::string> findConfigValue(std::string_view text, std::string_view key) {
  std::optional<std::string> found;
  for (const std::string_view line : splitLines(text))
    if (const auto value = valueIfSets(line, key)) found = std::string(*value);
  return found;
}

std::string setConfigValue(std::string_view text, std::string_view key, std::string_view value) {
  const std::string setting = std::string(key) + "=" + std::string(value);
  std::string out;
  bool replaced = false;
  for (const std::string_view line : splitLines(text)) {
    if (valueIfSets(line, key)) {
      out += setting;
      replaced = true;
    } else {
      out += line;
    }
    out += '\n';
  }
  if (!replaced) out += setting + "\n";
  return out;
}

std::string removeConfigKey(std::string_view text, std::string_view key) {
  std::string out;
  for (const std::string_view line : splitLines(text)) {
    if (valueIfSets(line, key)) continue;
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace tidemark::agent::tuner
