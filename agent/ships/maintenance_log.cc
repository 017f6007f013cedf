#include "agent/ships/maintenance_log.h"

#include <fcntl.h>
#include <spdlog/fmt/fmt.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "agent/collectors/parse_util.h"

namespace tidemark::agent {

bool parseMaintenanceLine(std::string_view line, MaintenanceEntry& out) {
  std::array<std::string_view, 4> fields;
  if (splitFields(line, fields) != fields.size()) return false;
  int64_t seconds = 0;
  if (!parseInt64(fields[0], seconds) || seconds < 0) return false;
  if (!fields[1].starts_with('/')) return false;
  MaintenanceEntry entry;
  if (fields[2] == "pack")
    entry.job = MaintenanceJob::kPack;
  else if (fields[2] == "meld")
    entry.job = MaintenanceJob::kMeld;
  else if (fields[2] == "roll")
    entry.job = MaintenanceJob::kRoll;
  else if (fields[2] == "chop")
    entry.job = MaintenanceJob::kChop;
  else
    return false;
  if (fields[3] != "ok" && fields[3] != "failed") return false;
  entry.unix_seconds = seconds;
  entry.pier = fields[1];
  entry.ok = fields[3] == "ok";
  out = entry;
  return true;
}

std::string_view maintenanceJobName(MaintenanceJob job) {
  switch (job) {
    case MaintenanceJob::kPack:
      return "pack";
    case MaintenanceJob::kMeld:
      return "meld";
    case MaintenanceJob::kRoll:
      return "roll";
    case MaintenanceJob::kChop:
      return "chop";
  }
  return "pack";
}

void appendMaintenanceLine(const std::string& path, const MaintenanceEntry& entry) {
  if (!entry.pier.starts_with('/') ||
      entry.pier.find_first_of(" \t\r\n") != std::string_view::npos) {
    throw std::runtime_error(
        fmt::format("maintenance log {}: pier {:?} must be absolute and hold no whitespace", path,
                    std::string(entry.pier)));
  }
  const std::string line = fmt::format("{} {} {} {}\n", entry.unix_seconds, entry.pier,
                                       maintenanceJobName(entry.job), entry.ok ? "ok" : "failed");
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw std::runtime_error(fmt::format("cannot open the maintenance log {}: {} (errno {})", path,
                                         std::strerror(errno), errno));
  }
  ssize_t written;
  do {
    written = ::write(fd, line.data(), line.size());
  } while (written < 0 && errno == EINTR);
  const int write_error = written < 0 ? errno : 0;
  const bool synced = written == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  const int sync_error = synced ? 0 : errno;
  ::close(fd);
  if (written != static_cast<ssize_t>(line.size())) {
    throw std::runtime_error(fmt::format(
        "cannot append to the maintenance log {}: {}", path,
        write_error != 0 ? std::string(std::strerror(write_error))
                         : fmt::format("short write ({} of {} bytes)", written, line.size())));
  }
  if (!synced) {
    throw std::runtime_error(fmt::format("cannot fsync the maintenance log {}: {} (errno {})", path,
                                         std::strerror(sync_error), sync_error));
  }
}

void MaintenanceLog::refresh() {
  const int error = tail_.poll([this](std::string_view line) { apply(line); });
  if (error != 0 && error != ENOENT) {
    log_.warn("ships:maintenance_log:read",
              fmt::format("ships: cannot read the maintenance log {}: {} (errno {}); "
                          "seconds since pack/meld stay as last known",
                          tail_.path(), std::strerror(error), error));
  }
}

void MaintenanceLog::apply(std::string_view line) {
  if (trimSpace(line).empty()) return;
  MaintenanceEntry entry;
  if (!parseMaintenanceLine(line, entry)) {
    ++bad_lines_;
    log_.warn("ships:maintenance_log:line",
              fmt::format("ships: {}: line {:?} is not \"<unix_seconds> <pier> "
                          "<pack|meld|roll|chop> <ok|failed>\"; skipped ({} bad so far)",
                          tail_.path(), std::string(line.substr(0, 200)), bad_lines_));
    return;
  }
  if (!entry.ok) return;
  auto found = last_.find(entry.pier);
  if (found == last_.end()) found = last_.emplace(std::string(entry.pier), Last{}).first;
  Last& last = found->second;
  // Lines are appended when jobs finish, but keep the newest should they ever be out of order.
  auto newest = [&](std::optional<int64_t>& slot) {
    if (!slot || *slot < entry.unix_seconds) slot = entry.unix_seconds;
  };
  if (entry.job == MaintenanceJob::kPack) newest(last.pack);
  if (entry.job == MaintenanceJob::kMeld) newest(last.meld);
}

std::optional<int64_t> MaintenanceLog::lastPack(std::string_view pier) const {
  auto it = last_.find(pier);
  return it == last_.end() ? std::nullopt : it->second.pack;
}

std::optional<int64_t> MaintenanceLog::lastMeld(std::string_view pier) const {
  auto it = last_.find(pier);
  return it == last_.end() ? std::nullopt : it->second.meld;
}

}  // namespace tidemark::agent
