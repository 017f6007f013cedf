// Fuzzes config loading: the bytes are a TOML file given with --config to an
// OptionSet holding options of every kind (string, string list, flag, duration,
// integer; top-level and in tables). Only ConfigError (and CLI::ParseError) may
// escape; anything else, or a crash in toml++ or the converters, is a finding.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "common/config/option_set.h"
#include "common/errors/error.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace tidemark;

const std::string& configPath() {
  static fuzz::ScopedTempDir* dir = new fuzz::ScopedTempDir("config-fuzz");
  static const std::string path = (dir->path() / "fuzz.toml").string();
  return path;
}

void writeFile(const std::string& path, const uint8_t* data, size_t size) {
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) fuzz::finding("cannot write " + path);
  if (size > 0 && std::fwrite(data, 1, size, file) != size) fuzz::finding("short write to " + path);
  std::fclose(file);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = configPath();
  writeFile(path, data, size);

  std::string state_dir, reports_dir, log_level;
  std::vector<std::string> peers, allow;
  bool verbose = false, reports_enabled = false;
  int64_t interval_ms = 10'000, reports_interval_ms = 0, retention_ms = 0;
  int64_t port = 7070, max_series = 100'000, nice = 0;

  CLI::App app("config fuzz");
  OptionSet options(app);
  options.addString("state_dir", &state_dir, "string");
  options.addString("log.level", &log_level, "string in a table");
  options.addStringList("peers", &peers, "string list");
  options.addStringList("security.allow", &allow, "string list in a table");
  options.addFlag("verbose", &verbose, "flag");
  options.addFlag("reports.enabled", &reports_enabled, "flag in a table");
  options.addDurationMs("interval", &interval_ms, "duration");
  options.addDurationMs("reports.interval", &reports_interval_ms, "duration in a table");
  options.addDurationMs("store.retention", &retention_ms, "duration in another table");
  options.addInteger("port", &port, 1, 65535, "integer");
  options.addInteger("limits.max_series", &max_series, 0, std::numeric_limits<int64_t>::max(),
                     "integer in a table");
  options.addInteger("nice", &nice, -20, 19, "negative integer range");

  std::vector<std::string> args = {"fuzz", "--config", path};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
    options.resolve();
  } catch (const ConfigError&) {
    return 0;
  } catch (const CLI::ParseError&) {
    return 0;
  }
  if (options.configPath() != path) fuzz::finding("--config path lost");
  if (port < 1 || port > 65535 || nice < -20 || nice > 19 || max_series < 0) {
    fuzz::finding("an integer option escaped its range");
  }
  return 0;
}
