#include "common/metrics/host_id.h"

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

}  // namespace tidemark
