#include "common/metrics/series.h"

#include <algorithm>

namespace tidemark {

void sortLabels(Labels& labels) {
  std::sort(labels.begin(), labels.end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
}

void appendQuotedLabelValue(std::string& out, std::string_view value) {
  out += '"';
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
}

std::string formatSeries(std::string_view name, const Labels& labels) {
  std::string out(name);
  if (labels.empty()) return out;
  out += '{';
  bool first = true;
  for (const auto& label : labels) {
    if (!first) out += ',';
    first = false;
    out += label.name;
    out += '=';
    appendQuotedLabelValue(out, label.value);
  }
  out += '}';
  return out;
}

namespace {
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

bool isValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  if (!isAlpha(name[0]) && name[0] != ':') return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [](char c) { return isAlpha(c) || isDigit(c) || c == ':'; });
}

bool isValidLabelName(std::string_view name) {
  if (name.empty() || !isAlpha(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [](char c) { return isAlpha(c) || isDigit(c); });
}

}  // namespace tidemark
