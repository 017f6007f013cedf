#include "common/config/check_config.h"

namespace tidemark {

void addCheckConfigFlag(CLI::App& app, bool* check_config) {
  app.add_flag("--check-config", *check_config,
               "check the flags, the --config file and the files they name (keys, policy), "
               "print 'configuration OK' and exit 0, or the error and exit 2; starts nothing");
}

std::string checkConfigOkLine(const std::string& program, const std::string& config_path) {
  return program + ": configuration OK (" +
         (config_path.empty() ? std::string("command line only") : config_path) + ")";
}

}  // namespace tidemark
