// Edits an environment-style service config (/etc/default/urbit-zod: KEY=value lines
// read by a systemd EnvironmentFile or a shell) one key at a time, keeping every
// other line, comment and blank as it was.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tidemark::agent::tuner {

// The value of the last `KEY=value` line (optionally `export KEY=value`, value
// optionally in quotes), as later lines win in both readers; nullopt when absent.
std::optional<std::string> findConfigValue(std::string_view text, std::string_view key);

// `text` with every line setting `key` replaced by `KEY=value`, or that line appended
// when there is none. The result ends with a newline.
std::string setConfigValue(std::string_view text, std::string_view key, std::string_view value);

// `text` without the lines setting `key`.
std::string removeConfigKey(std::string_view text, std::string_view key);

}  // namespace tidemark::agent::tuner
