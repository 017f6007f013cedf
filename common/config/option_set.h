// Declares each daemon option once and binds it to both a command-line flag and a
// key in the TOML file given with --config (flag `--state-dir` <-> key `state_dir`,
// flag `--reports-interval` <-> key `interval` in table `[reports]`). A flag given on
// the command line wins over the file. Unknown keys and bad values are rejected with
// a ConfigError naming the file, the key and the reason.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tidemark {

// Thrown by a daemon's option parser after CLI11 printed help or a usage error (it
// needs the App that knows the options, which only the parser has): main exits with
// `code` and prints nothing more.
struct CommandLineExit {
  int code;
};

// Parses argv with `app`; on --help or a bad flag prints what CLI11 prints and throws
// CommandLineExit.
void parseCommandLine(CLI::App& app, int argc, char** argv);

class OptionSet {
 public:
  explicit OptionSet(CLI::App& app);
  ~OptionSet();

  // `key` is the TOML key, dotted for tables ("reports.interval"); the flag is
  // derived from it ("--reports-interval").
  void addString(const std::string& key, std::string* target, const std::string& help);
  // A list: the flag repeated, or a TOML array. `flag` overrides the derived name,
  // for a singular flag over a plural key ("--pier-root" for "pier_roots").
  void addStringList(const std::string& key, std::vector<std::string>* target,
                     const std::string& help, const std::string& flag = "");
  // A string-to-string map: the flag repeated as NAME=VALUE, or a TOML table of
  // strings (`[ship_logs]` with `"/srv/x" = "/var/log/x"`); keys may hold any text.
  void addStringMap(const std::string& key, std::map<std::string, std::string>* target,
                    const std::string& help, const std::string& flag = "");
  void addFlag(const std::string& key, bool* target, const std::string& help);
  void addDurationMs(const std::string& key, int64_t* target_ms, const std::string& help);
  void addInteger(const std::string& key, int64_t* target, int64_t min, int64_t max,
                  const std::string& help);

  // A top-level key of the file that another parser reads (the controller's
  // `[[trigger]]` rules): accepted here, bound to no flag.
  void addExternalKey(const std::string& key) { external_keys_.push_back(key); }

  // Marks options that must have a value from the command line or the file.
  void require(const std::string& key);

  // Call after CLI11 parsed the command line: reads the --config file if one was
  // given, then applies flags and file keys to the targets and checks required
  // options. Throws ConfigError.
  void resolve();

  // The path given with --config, empty when none.
  const std::string& configPath() const { return config_path_; }

 private:
  struct Option;
  Option& add(const std::string& key, const std::string& help, bool is_flag,
              const std::string& flag = "");

  CLI::App& app_;
  std::string config_path_;
  std::vector<std::unique_ptr<Option>> options_;
  std::vector<std::string> external_keys_;
};

// "state_dir" -> "--state-dir", "reports.interval" -> "--reports-interval".
std::string flagForKey(const std::string& key);

}  // namespace tidemark
