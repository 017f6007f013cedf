#include "controller/check_config.h"

#include "common/transport/curve_keys.h"

namespace tidemark::controller {

void checkControllerFiles(const ControllerOptions& options) {
  if (!options.insecure) (void)readCurveSecretKeyFile(options.curve_key);
}

}  // namespace tidemark::controller
