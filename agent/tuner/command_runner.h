// Runs an operator-configured command template (a remount, a ship's stop, start or
// maintenance job) through /bin/sh with a deadline: placeholders are substituted with
// shell-quoted values, the command gets its own process group, and on timeout the
// whole group is killed, so a hung job never outlives its step.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace tidemark::agent::tuner {

struct CommandOutcome {
  int exit_code = -1;     // 128 + signal when killed by a signal; -1 when it could not start
  bool timed_out = false;
  std::string output;     // the last 4 KiB of stdout and stderr together
  std::string command;    // the command line actually run

  bool ok() const { return exit_code == 0 && !timed_out; }
  // "exit 0", "exit 3: <last line of output>", "timed out after 30 s", ...
  std::string describe() const;
};

// Replaces every "{name}" in `command_template` with the shell-quoted value of
// `values[name]`. Throws std::invalid_argument naming an unknown placeholder.
std::string expandCommand(const std::string& command_template,
                          const std::map<std::string, std::string>& values);

// Single-quotes `value` for /bin/sh.
std::string shellQuote(const std::string& value);

// Runs `command` with /bin/sh -c, waiting up to `timeout`; kills its process group
// (SIGTERM, then SIGKILL after 2 s) when it takes longer.
CommandOutcome runCommand(const std::string& command, std::chrono::milliseconds timeout);

}  // namespace tidemark::agent::tuner
