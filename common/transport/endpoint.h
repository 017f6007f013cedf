// Validation of the ZeroMQ endpoints operators configure, so a typo fails at start
// with a clear message instead of as a silent connect that never happens.
#pragma once

#include <string>

namespace tidemark {

// Checks "tcp://HOST:PORT" (PORT 1-65535, or "*" for an ephemeral port when
// `allow_wildcard_port`). Throws ConfigError naming `source` and the reason.
void validateTcpEndpoint(const std::string& source, const std::string& endpoint,
                         bool allow_wildcard_port);

// The admin socket endpoint for a filesystem path ("ipc:///run/tidemark/admin.sock").
std::string ipcEndpoint(const std::string& path);

}  // namespace tidemark
