// Process-wide log set-up, called once from each main: spdlog to stderr (journald
// adds its own timestamps), quiet by default (info: lifecycle and problems only).
#pragma once

#include <string>

namespace tidemark {

// Sets the default logger's level ("trace", "debug", "info", "warn", "error") and
// pattern. Throws ConfigError for an unknown level.
void setupLogging(const std::string& program, const std::string& level);

}  // namespace tidemark
