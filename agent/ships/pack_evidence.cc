#include "agent/ships/pack_evidence.h"

#include <fcntl.h>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tidemark::agent {

std::optional<MaintenanceJob> packOrMeldIn(std::string_view line) {
  // vere prints "pack: gained: <size>" and "meld: gained: <size>" (sometimes behind a
  // prefix such as "urbit: "); nothing else it prints holds these words.
  if (line.find("pack: gained") != std::string_view::npos) return MaintenanceJob::kPack;
  if (line.find("meld: gained") != std::string_view::npos) return MaintenanceJob::kMeld;
  return std::nullopt;
}

bool snapshotShrankClearly(uint64_t before, uint64_t after, double min_ratio) {
  if (after == 0 || after >= before) return false;
  return static_cast<double>(before - after) >= min_ratio * static_cast<double>(before);
}

void PackEvidenceLog::record(int64_t unix_seconds, std::string_view pier, MaintenanceJob job,
                             std::string_view source) {
  const char* name = job == MaintenanceJob::kMeld ? "meld" : "pack";
  const std::string line = fmt::format("{} {} {} ok\n", unix_seconds, pier, name);
  int error = 0;
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = errno;
  } else {
    // One short write with O_APPEND: a line is never interleaved or half there
    // unless the disk is full, and a torn last line is skipped when read.
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
      error = errno != 0 ? errno : EIO;
    ::close(fd);
  }
  if (error != 0) {
    log_.warn("ships:pack_evidence:" + path_,
              fmt::format("ships: cannot append to {}: {} (errno {}); a probable {} of {} "
                          "(from {}) is not remembered",
                          path_, std::strerror(error), error, name, pier, source));
    return;
  }
  spdlog::info("ships: probable {} of {} (from {}), recorded in {}", name, pier, source, path_);
}

}  // namespace tidemark::agent
