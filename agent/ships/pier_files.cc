#include "agent/ships/pier_files.h"

#include <array>
#include <limits>

namespace tidemark::agent {

std::optional<int64_t> parseVereLock(std::string_view text) {
  int64_t pid = 0;
  if (!parseInt64(trimSpace(text), pid) || pid <= 0) return std::nullopt;
  return pid;
}

void parseHttpPorts(std::string_view text, std::vector<HttpPort>& ports, ParseProblems& problems) {
  ports.clear();
  LineSplitter lines(text);
  std::string_view line;
  while (lines.next(line)) {
    if (trimSpace(line).empty()) continue;
    std::array<std::string_view, 3> fields;
    uint64_t port = 0;
    if (splitFields(line, fields) != fields.size()) {
      problems.addLine(lines.lineNumber(), line,
                       "need 3 fields (port, secure|insecure, "
                       "loopback|public); line skipped");
      continue;
    }
    if (!parseUint64(fields[0], port) || port == 0 || port > std::numeric_limits<uint16_t>::max()) {
      problems.addLine(lines.lineNumber(), line, "field 1 is not a port number; line skipped");
      continue;
    }
    if ((fields[1] != "secure" && fields[1] != "insecure") ||
        (fields[2] != "loopback" && fields[2] != "public")) {
      problems.addLine(lines.lineNumber(), line,
                       "fields 2-3 must be secure|insecure loopback|public; line skipped");
      continue;
    }
    ports.push_back({static_cast<uint16_t>(port), fields[1] == "secure", fields[2] == "loopback"});
  }
}

std::optional<uint64_t> parseEpochFolder(std::string_view name) {
  uint64_t number = 0;
  if (!name.starts_with("0i") || !parseUint64(name.substr(2), number)) return std::nullopt;
  return number;
}

}  // namespace tidemark::agent
