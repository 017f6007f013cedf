#include "agent/ships/pier_root_scan.h"

#include <fcntl.h>
#include <spdlog/fmt/fmt.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "agent/ships/ship_discovery.h"

namespace tidemark::agent {

PierRootScan::PierRootScan(FileReader& reader, ReadBatch& scan_batch, ThrottledLog& log,
                           std::vector<std::string> pier_roots)
    : reader_(reader), scan_batch_(scan_batch), log_(log) {
  for (std::string& configured : pier_roots) roots_.push_back({std::move(configured), 0, {}});
}

bool PierRootScan::relist(Root& root, const std::string& root_dir) {
  root.mtime_ns = 0;
  root.entries.clear();
  const int error = reader_.listDirectory(root_dir, names_);
  if (error != 0) {
    log_.warn("ships:pier_root:" + root_dir,
              fmt::format("ships: cannot list pier root {}: {} (errno {}); its piers are "
                          "skipped this scan",
                          root_dir, std::strerror(error), error));
    return false;
  }
  root.entries.reserve(names_.size());
  for (std::string& name : names_) root.entries.push_back({std::move(name), {}, false});
  return true;
}

void PierRootScan::scan(bool full, const std::function<void(const std::string& pier)>& found) {
  stats_ = 0;
  for (Root& root : roots_) {
    const std::string root_dir = resolvePierPath(reader_.root(), "/", root.configured);
    // The mtime is taken before the listing: an entry added meanwhile moves it again.
    struct statx root_stat {};
    const std::string resolved_root = resolveUnderRoot(reader_.root(), root_dir);
    const bool statted = ::statx(AT_FDCWD, resolved_root.c_str(), 0, STATX_MTIME, &root_stat) == 0;
    const uint64_t mtime = statted ? mtimeNs(root_stat) : 0;
    const bool reuse = !full && statted && root.mtime_ns != 0 && mtime == root.mtime_ns;
    if (!reuse) {
      if (!relist(root, root_dir)) continue;
      root.mtime_ns = mtime;
    }
    const std::string prefix = root_dir == "/" ? "" : root_dir;
    statted_.clear();
    for (size_t i = 0; i < root.entries.size(); ++i) {
      if (reuse && root.entries[i].is_pier) continue;
      statted_.push_back(i);
    }
    if (urb_slots_.size() < statted_.size()) urb_slots_.resize(statted_.size());
    for (size_t i = 0; i < statted_.size(); ++i)
      scan_batch_.queueStat(prefix + "/" + root.entries[statted_[i]].name + "/.urb", urb_slots_[i]);
    scan_batch_.submit();
    stats_ += statted_.size();
    for (size_t i = 0; i < statted_.size(); ++i) {
      Entry& entry = root.entries[statted_[i]];
      const StatSlot& slot = urb_slots_[i];
      entry.is_pier = slot.error == 0 && S_ISDIR(slot.stat.stx_mode);
      if (entry.is_pier && entry.pier.empty())
        entry.pier = resolvePierPath(reader_.root(), "/", prefix + "/" + entry.name);
    }
    for (const Entry& entry : root.entries)
      if (entry.is_pier) found(entry.pier);
  }
  // Sized for the largest root; a scan runs every 30 s or so, so given back in between.
  std::vector<StatSlot>().swap(urb_slots_);
}

}  // namespace tidemark::agent
