// What `tidemark-controller --check-config` checks beyond the options themselves: the
// files a start reads before it serves (the CurveZMQ secret key), read the same way.
// It creates nothing: no data folder, no RocksDB, no socket.
#pragma once

#include "controller/controller_options.h"

namespace tidemark::controller {

// Unless --insecure, reads the curve key as the Controller does at start (present,
// well-formed, mode 0600). Throws ConfigError naming the file and why.
void checkControllerFiles(const ControllerOptions& options);

}  // namespace tidemark::controller
