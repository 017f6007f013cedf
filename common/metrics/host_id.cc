#include "common/metrics/host_id.h"

#include <unistd.h>

#include <climits>

#include "common/errors/error.h"

namespace tidemark {

std::string checkHostId(const std::string& host) {
  if (host.empty()) return "host id is empty";
  if (host.size() > 253) return "host id is longer than 253 bytes";
  // Host ids name files in the controller's pki dir.
  if (host == "." || host == "..") return "host id \"" + host + "\" is not a name";
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return "host id \"" + host + "\" has characters other than [A-Za-z0-9._-]";
  }
  return {};
}

std::string hostIdOrHostname(const std::string& id, const std::string& key) {
  std::string host = id;
  if (host.empty()) {
    char name[HOST_NAME_MAX + 1] = {};
    if (::gethostname(name, sizeof name) != 0 || name[0] == '\0') {
      throw ConfigError(key + " is not set and the hostname cannot be read");
    }
    host = name;
  }
  if (auto problem = checkHostId(host); !problem.empty()) throw ConfigError(key + ": " + problem);
  return host;
}

}  // namespace tidemark
