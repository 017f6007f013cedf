#include "common/config/duration.h"

#include <charconv>
#include <cstdint>
#include <ctime>

namespace tidemark {

namespace {

std::optional<int64_t> unitMs(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60'000;
  if (unit == "h") return 3'600'000;
  if (unit == "d") return 86'400'000;
  if (unit == "w") return 7 * 86'400'000LL;
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> parseDurationMs(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    int64_t number = 0;
    auto [end, error] = std::from_chars(text.data() + pos, text.data() + text.size(), number);
    if (error != std::errc() || end == text.data() + pos || number < 0) return std::nullopt;
    pos = static_cast<size_t>(end - text.data());
    size_t unit_start = pos;
    while (pos < text.size() && text[pos] >= 'a' && text[pos] <= 'z') ++pos;
    auto scale = unitMs(text.substr(unit_start, pos - unit_start));
    if (!scale) return std::nullopt;
    if (number > (INT64_MAX - total) / *scale) return std::nullopt;
    total += number * *scale;
  }
  return total;
}

std::string formatDurationMs(int64_t ms) {
  if (ms == 0) return "0s";
  if (ms < 0) return "-" + formatDurationMs(ms == INT64_MIN ? INT64_MAX : -ms);
  static constexpr struct {
    int64_t size;
    const char* unit;
  } kUnits[] = {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}};
  std::string out;
  for (const auto& u : kUnits) {
    if (ms >= u.size) {
      out += std::to_string(ms / u.size) + u.unit;
      ms %= u.size;
    }
  }
  return out;
}

std::optional<int64_t> parseTimeMs(std::string_view text, int64_t now_ms) {
  if (auto ago = parseDurationMs(text)) return now_ms - *ago;
  if (text == "now") return now_ms;
  int64_t seconds = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (error == std::errc() && end == text.data() + text.size()) {
    if (seconds > INT64_MAX / 1000 || seconds < INT64_MIN / 1000) return std::nullopt;
    return seconds * 1000;
  }
  std::tm tm{};
  std::string copy(text);
  const char* rest = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return std::nullopt;
  std::string_view tail(rest);
  if (tail != "Z" && tail != "+00:00" && !tail.empty()) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

std::string formatTimeMs(int64_t ms) {
  // Floor, not truncation: -1 ms is 23:59:59 of the day before the epoch.
  std::time_t seconds = static_cast<std::time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace tidemark
