#include "controller/admin/admin_peer.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>
#include <vector>

namespace tidemark::controller {

namespace {

std::string userName(uid_t uid) {
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<size_t>(size) : 16384);
  passwd entry{};
  passwd* found = nullptr;
  int error = 0;
  while ((error = ::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found)) == ERANGE &&
         buffer.size() < (1u << 20)) {
    buffer.resize(buffer.size() * 2);
  }
  if (error != 0 || found == nullptr || found->pw_name == nullptr)
    return "uid:" + std::to_string(uid);
  return found->pw_name;
}

}  // namespace

AdminPeer adminPeerFromAddress(std::string_view peer_address) {
  AdminPeer peer;
  // The credentials follow the (empty, for Unix sockets) address: ":uid:gid:pid".
  const auto start = peer_address.find(':');
  if (start == std::string_view::npos) return peer;
  std::string_view rest = peer_address.substr(start + 1);
  const auto end = rest.find(':');
  if (end == std::string_view::npos) return peer;
  const std::string_view digits = rest.substr(0, end);
  uint64_t uid = 0;
  const auto [stop, error] = std::from_chars(digits.data(), digits.data() + digits.size(), uid);
  if (error != std::errc() || stop != digits.data() + digits.size() || digits.empty()) return peer;
  peer.uid = static_cast<int64_t>(uid);
  peer.user = userName(static_cast<uid_t>(uid));
  return peer;
}

}  // namespace tidemark::controller
