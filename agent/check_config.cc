#include "agent/check_config.h"

#include <exception>
#include <string>

#include "agent/tuner/policy.h"
#include "common/errors/error.h"
#include "common/transport/curve_keys.h"

namespace tidemark::agent {

void checkAgentFiles(const AgentOptions& options) {
  if (!options.tuning.policy.empty()) {
    try {
      (void)tuner::Policy::load(options.tuning.policy);
    } catch (const std::exception& e) {
      // The prefix makeTuner gives the same error at start.
      throw ConfigError(std::string("--policy: ") + e.what());
    }
  }
  if (!options.insecure) {
    (void)readCurveSecretKeyFile(options.curve_key);
    (void)readCurvePublicKeyFile(options.controller_pub);
  }
}

}  // namespace tidemark::agent
