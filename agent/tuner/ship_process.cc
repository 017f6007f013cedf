#include "agent/tuner/ship_process.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/io/file_reader.h"

namespace tidemark::agent::tuner {
namespace {

template <typename T>
bool parseNumber(std::string_view text, T& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

std::string procPath(const std::string& root, int64_t pid, std::string_view file) {
  return resolveUnderRoot(root, "/proc/" + std::to_string(pid) + "/" + std::string(file));
}

}  // namespace

std::optional<LiveProcess> parseLiveProcess(std::string_view stat) {
  // The command name may hold spaces and ')': count fields from its last ')'.
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::vector<std::string_view> fields;  // fields[0] is field 3 (state)
  std::string_view rest = stat.substr(close + 1);
  while (!rest.empty()) {
    const size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const size_t end = rest.find_first_of(" \n");
    fields.push_back(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end);
  }
  constexpr size_t kNice = 19 - 3, kStartTime = 22 - 3;
  if (fields.size() <= kStartTime) return std::nullopt;
  if (fields[0] == "Z" || fields[0] == "X") return std::nullopt;
  LiveProcess live;
  if (!parseNumber(fields[kNice], live.nice) || !parseNumber(fields[kStartTime], live.start_ticks))
    return std::nullopt;
  return live;
}

std::optional<LiveProcess> readLiveProcess(const std::string& root, int64_t pid) {
  std::ifstream in(procPath(root, pid, "stat"));
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return parseLiveProcess(text.str());
}

bool isSameProcess(const std::string& root, const ShipProcess& process) {
  const auto live = readLiveProcess(root, process.pid);
  return live && (process.start_ticks == 0 || live->start_ticks == process.start_ticks);
}

std::string whyShipNotRunning(const std::string& root, const DiscoveredShip& ship) {
  if (!ship.king) return "the ship " + ship.pier + " is down (no king process)";
  if (!isSameProcess(root, *ship.king)) {
    return "king PID " + std::to_string(ship.king->pid) + " of " + ship.pier +
           " is gone: the ship stopped or restarted since the survey";
  }
  return "";
}

std::vector<int64_t> threadIds(const std::string& root, int64_t pid) {
  std::vector<int64_t> ids;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(procPath(root, pid, "task"), error)) {
    int64_t tid = 0;
    if (parseNumber(entry.path().filename().string(), tid)) ids.push_back(tid);
  }
  if (ids.empty()) ids.push_back(pid);
  return ids;
}

std::optional<int64_t> pierLockHolder(const std::string& root, const std::string& pier) {
  const std::string path = resolveUnderRoot(root, pier + "/.vere.lock");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  const bool probed = ::fcntl(fd, F_GETLK, &probe) == 0;
  ::close(fd);  // we never hold the lock, so closing drops nothing of ours
  if (!probed || probe.l_type == F_UNLCK || probe.l_pid <= 0) return std::nullopt;
  return static_cast<int64_t>(probe.l_pid);
}

std::string pierLockProblem(const std::string& root, const std::string& pier) {
  const std::string path = resolveUnderRoot(root, pier + "/.vere.lock");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return "";
  }
  if (errno == ENOENT) return "";
  return "cannot open " + path + " to check the pier lock: " + std::strerror(errno);
}

}  // namespace tidemark::agent::tuner
