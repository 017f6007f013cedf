// --check-config, shared by both daemons: parse the flags and the --config file as a
// start does, check the files they name, print one line and exit, touching nothing
// else (no socket, no RocksDB, no state folder). Ansible validates a templated config
// with it before putting it in place (`validate: tidemark-agent --config %s --check-config`).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace tidemark {

// Adds --check-config to `app` as a plain CLI11 flag, outside OptionSet: it is a
// command-line flag only, so a `check_config` key in a file is refused as unknown (a
// file that turned it on would stop the daemon from ever starting).
void addCheckConfigFlag(CLI::App& app, bool* check_config);

// "tidemark-agent: configuration OK (/etc/tidemark/agent.toml)"; without a --config
// file "(command line only)".
std::string checkConfigOkLine(const std::string& program, const std::string& config_path);

}  // namespace tidemark
