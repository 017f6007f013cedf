// Durations as operators write them ("10s", "500ms", "1h30m", "30d") and times as
// the CLI takes them ("1h" ago, RFC 3339, Unix seconds).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tidemark {

// Parses a duration made of number+unit parts (units: ms, s, m, h, d, w) into
// milliseconds. Returns nullopt for anything else, including a bare number.
std::optional<int64_t> parseDurationMs(std::string_view text);

// Renders milliseconds as the shortest duration string ("90s" -> "1m30s").
std::string formatDurationMs(int64_t ms);

// Parses a point in time for queries: a duration means that long before `now_ms`;
// else RFC 3339 ("2026-11-23T09:00:00Z") or Unix seconds. Nullopt when none fits.
std::optional<int64_t> parseTimeMs(std::string_view text, int64_t now_ms);

// Renders wall-clock milliseconds as RFC 3339 UTC with seconds ("2026-11-23T09:41:10Z").
std::string formatTimeMs(int64_t ms);

}  // namespace tidemark
