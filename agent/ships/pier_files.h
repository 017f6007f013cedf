// Parsers for the small files a pier holds: .vere.lock (the runtime's PID),
// .http.ports (the HTTP listeners) and the epoch folder names of .urb/log.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "agent/collectors/parse_util.h"

namespace tidemark::agent {

// The PID in a .vere.lock ("<pid>\n"); nullopt for anything else.
std::optional<int64_t> parseVereLock(std::string_view text);

struct HttpPort {
  uint16_t port = 0;
  bool secure = false;
  bool loopback = false;
};

// Parses .http.ports: one "<port> secure|insecure loopback|public" per line. Bad
// lines are skipped and reported to `problems`.
void parseHttpPorts(std::string_view text, std::vector<HttpPort>& ports, ParseProblems& problems);

// The event number N of an epoch folder "0i<N>"; nullopt for other names.
std::optional<uint64_t> parseEpochFolder(std::string_view name);

}  // namespace tidemark::agent
