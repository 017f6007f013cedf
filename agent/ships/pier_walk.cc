#include "agent/ships/pier_walk.h"

#include <spdlog/fmt/fmt.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>

#include "agent/ships/pier_files.h"

namespace tidemark::agent {
namespace {

constexpr uint64_t kBlockBytes = 512;

struct Entry {
  size_t pier = 0;
  std::string relative;  // below the pier, starting with '/'
  size_t depth = 0;
  StatSlot slot;
};

}  // namespace

PierSizeNow applyCheap(const PierSize& size, const std::vector<StatSlot>& fresh) {
  PierSizeNow now{size.allocated_bytes, size.event_log_bytes, size.newest_epoch_bytes, 0};
  for (size_t i = 0; i < size.tracked.size() && i < fresh.size(); ++i) {
    const TrackedFile& file = size.tracked[i];
    const bool present = fresh[i].error == 0;
    const uint64_t bytes = present ? fresh[i].stat.stx_size : 0;
    const uint64_t allocated = present ? fresh[i].stat.stx_blocks * kBlockBytes : 0;
    now.allocated_bytes = now.allocated_bytes - file.walk_allocated + allocated;
    switch (file.kind) {
      case TrackedFile::Kind::kNewestEpochLog:
        now.event_log_bytes = now.event_log_bytes - file.walk_size + bytes;
        now.newest_epoch_bytes = bytes;
        break;
      case TrackedFile::Kind::kPreEpochLog:
        now.event_log_bytes = now.event_log_bytes - file.walk_size + bytes;
        break;
      case TrackedFile::Kind::kSnapshot:
        now.snapshot_bytes += bytes;
        break;
    }
  }
  return now;
}

void PierWalker::walk(const std::vector<std::string>& piers, std::vector<PierSize>& sizes) {
  sizes.assign(piers.size(), PierSize{});
  last_entries_ = 0;
  std::vector<size_t> entries_per_pier(piers.size(), 0);
  // Newest epoch per pier: its number and its data.mdb's stat.
  std::vector<std::optional<uint64_t>> newest_epoch(piers.size());
  std::vector<struct statx> newest_stat(piers.size());

  std::vector<std::pair<size_t, std::string>> frontier;  // (pier, relative folder)
  for (size_t i = 0; i < piers.size(); ++i) frontier.emplace_back(i, "");
  std::vector<bool> listed(piers.size(), false);

  for (size_t depth = 0; !frontier.empty() && depth <= kMaxDepth; ++depth) {
    std::deque<Entry> level;  // stable addresses for the queued slots
    for (const auto& [pier, folder] : frontier) {
      const std::string path = piers[pier] + folder;
      const int error = reader_.listDirectory(path, names_);
      if (error != 0) {
        log_.warn("ships:walk:" + path,
                  fmt::format("ships: cannot list {}: {} (errno {}); the pier's size leaves it "
                              "out",
                              path, std::strerror(error), error));
        continue;
      }
      if (folder.empty()) listed[pier] = true;
      for (const auto& name : names_) {
        if (++entries_per_pier[pier] > kMaxEntriesPerPier) {
          log_.warn("ships:walk_limit:" + piers[pier],
                    fmt::format("ships: {} holds more than {} entries; the rest is not counted",
                                piers[pier], kMaxEntriesPerPier));
          break;
        }
        level.push_back({pier, folder + "/" + name, depth, {}});
      }
    }
    for (Entry& entry : level) batch_.queueStat(piers[entry.pier] + entry.relative, entry.slot);
    batch_.submit();
    last_entries_ += level.size();
    frontier.clear();
    for (Entry& entry : level) {
      if (entry.slot.error != 0) continue;  // removed since the listing
      const struct statx& stat = entry.slot.stat;
      PierSize& size = sizes[entry.pier];
      size.allocated_bytes += stat.stx_blocks * kBlockBytes;
      const std::string& relative = entry.relative;
      if (S_ISDIR(stat.stx_mode)) {
        if (relative == "/.urb/log") size.log_dir_mtime_ns = mtimeNs(stat);
        if (relative == "/.urb/chk") size.chk_dir_mtime_ns = mtimeNs(stat);
        if (relative.starts_with("/.urb/log/0i") &&
            parseEpochFolder(relative.substr(std::strlen("/.urb/log/")))) {
          ++size.epochs;
        }
        frontier.emplace_back(entry.pier, relative);
        continue;
      }
      if (!S_ISREG(stat.stx_mode)) continue;
      const std::string path = piers[entry.pier] + relative;
      if (relative == "/.urb/log/data.mdb") {
        size.event_log_bytes += stat.stx_size;
        size.tracked.push_back(
            {path, TrackedFile::Kind::kPreEpochLog, stat.stx_size, stat.stx_blocks * kBlockBytes});
      } else if (relative == "/.urb/chk/image.bin" || relative == "/.urb/chk/north.bin" ||
                 relative == "/.urb/chk/south.bin") {
        size.snapshot_bytes += stat.stx_size;
        size.tracked.push_back(
            {path, TrackedFile::Kind::kSnapshot, stat.stx_size, stat.stx_blocks * kBlockBytes});
      } else if (relative.starts_with("/.urb/log/0i") && relative.ends_with("/data.mdb")) {
        const std::string_view folder(
            relative.data() + std::strlen("/.urb/log/"),
            relative.size() - std::strlen("/.urb/log/") - std::strlen("/data.mdb"));
        const std::optional<uint64_t> epoch = parseEpochFolder(folder);
        if (!epoch) continue;
        size.event_log_bytes += stat.stx_size;
        if (!newest_epoch[entry.pier] || *epoch > *newest_epoch[entry.pier]) {
          newest_epoch[entry.pier] = epoch;
          newest_stat[entry.pier] = stat;
          // Replace the previous newest: only the newest epoch grows.
          std::erase_if(size.tracked, [](const TrackedFile& file) {
            return file.kind == TrackedFile::Kind::kNewestEpochLog;
          });
          size.newest_epoch_bytes = stat.stx_size;
          size.tracked.push_back({path, TrackedFile::Kind::kNewestEpochLog, stat.stx_size,
                                  stat.stx_blocks * kBlockBytes});
        }
      }
    }
  }
  for (size_t i = 0; i < piers.size(); ++i) sizes[i].walked = listed[i];
}

}  // namespace tidemark::agent
