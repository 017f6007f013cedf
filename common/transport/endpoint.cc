#include "common/transport/endpoint.h"

#include <charconv>

#include "common/errors/error.h"

namespace tidemark {

void validateTcpEndpoint(const std::string& source, const std::string& endpoint,
                         bool allow_wildcard_port) {
  auto fail = [&](const std::string& why) {
    throw ConfigError(source + ": \"" + endpoint + "\" " + why);
  };
  const std::string scheme = "tcp://";
  if (endpoint.rfind(scheme, 0) != 0) fail("must start with tcp:// (for example tcp://127.0.0.1:7070)");
  auto colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon < scheme.size()) fail("has no :PORT");
  std::string host = endpoint.substr(scheme.size(), colon - scheme.size());
  std::string port = endpoint.substr(colon + 1);
  if (host.empty()) fail("has no host (use * to listen on every interface)");
  if (port == "*") {
    if (!allow_wildcard_port) fail("needs a concrete port");
    return;
  }
  int value = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (error != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
    fail("has an invalid port (1-65535)");
  }
}

std::string ipcEndpoint(const std::string& path) { return "ipc://" + path; }

}  // namespace tidemark
