#include "agent/collectors/filesystem.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <tuple>

#include "common/metrics/series.h"

namespace tidemark::agent {
namespace {

// mountinfo fields before the optional ones, and after the "-" separator.
constexpr size_t kDeviceNumberField = 2;
constexpr size_t kMountpointField = 4;
constexpr size_t kMountOptionsField = 5;
constexpr size_t kFirstOptionalField = 6;
constexpr size_t kFieldsAfterSeparator = 3;  // fstype, source, super options
constexpr size_t kMaxFields = 64;

// node_exporter's default --collector.filesystem.fs-types-exclude.
constexpr std::array<std::string_view, 25> kPseudoTypes = {
    "autofs",   "binfmt_misc", "bpf",     "cgroup",    "cgroup2",    "configfs",   "debugfs",
    "devpts",   "devtmpfs",    "fusectl", "hugetlbfs", "iso9660",    "mqueue",     "nsfs",
    "overlay",  "proc",        "procfs",  "pstore",    "rpc_pipefs", "securityfs", "selinuxfs",
    "squashfs", "erofs",       "sysfs",   "tracefs",
};

constexpr std::array<std::string_view, 14> kNetworkTypes = {
    "nfs", "nfs4", "cifs",   "smb3", "smbfs",  "ceph",  "glusterfs",
    "9p",  "afs",  "lustre", "gpfs", "beegfs", "ncpfs", "coda",
};

// Filesystems whose statfs reads in-memory counters of a local superblock.
constexpr std::array<std::string_view, 6> kInMemoryUsageTypes = {
    "ext2", "ext3", "ext4", "xfs", "tmpfs", "ramfs",
};

template <size_t N>
bool isOneOf(std::string_view value, const std::array<std::string_view, N>& set) {
  for (std::string_view item : set)
    if (item == value) return true;
  return false;
}

// "fuseblk" is not here on purpose: it is backed by a local disk (ntfs-3g, exfat).
bool isFuseType(std::string_view fstype) { return fstype == "fuse" || fstype.starts_with("fuse."); }

// `path` is `dir` or lies below it.
bool isAtOrUnder(std::string_view path, std::string_view dir) {
  return path.starts_with(dir) && (path.size() == dir.size() || path[dir.size()] == '/');
}

// Strictly below `dir` ("/var/lib/docker/x", not "/var/lib/docker").
bool isStrictlyUnder(std::string_view path, std::string_view dir) {
  return path.size() > dir.size() + 1 && path.starts_with(dir) && path[dir.size()] == '/';
}

// node_exporter's default --collector.filesystem.mount-points-exclude,
// ^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)
bool isExcludedMountpoint(std::string_view path) {
  return isAtOrUnder(path, "/dev") || isAtOrUnder(path, "/proc") || isAtOrUnder(path, "/sys") ||
         isStrictlyUnder(path, "/run/credentials") || isStrictlyUnder(path, "/var/lib/docker") ||
         isStrictlyUnder(path, "/var/lib/containers/storage");
}

bool isOctal(char c) { return c >= '0' && c <= '7'; }

// The kernel writes ' ', '\t', '\n' and '\\' in mountinfo paths as \ooo (fstab(5) style).
void decodeEscapes(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\\' && i + 3 < in.size() && isOctal(in[i + 1]) && isOctal(in[i + 2]) &&
        isOctal(in[i + 3])) {
      out += static_cast<char>(((in[i + 1] - '0') << 6) | ((in[i + 2] - '0') << 3) |
                               (in[i + 3] - '0'));
      i += 3;
    } else {
      out += in[i];
    }
  }
}

// True when the comma-separated `options` hold the bare word "ro".
bool hasReadOnlyOption(std::string_view options) {
  while (!options.empty()) {
    const size_t comma = options.find(',');
    if (options.substr(0, comma) == "ro") return true;
    if (comma == std::string_view::npos) break;
    options.remove_prefix(comma + 1);
  }
  return false;
}

// Parses one line into `mount`; false (with a problem added) when it is malformed.
bool parseLine(std::string_view line, size_t line_number, MountInfo& mount,
               ParseProblems& problems) {
  std::array<std::string_view, kMaxFields> fields;
  const size_t count = splitFields(line, fields);
  if (count > kMaxFields) {
    problems.addLine(line_number, line,
                     fmt::format("{} fields, more than {}; line skipped", count, kMaxFields));
    return false;
  }
  if (count < kFirstOptionalField + 1 + kFieldsAfterSeparator) {
    problems.addLine(line_number, line,
                     fmt::format("{} fields, need at least {}; line skipped", count,
                                 kFirstOptionalField + 1 + kFieldsAfterSeparator));
    return false;
  }
  size_t separator = kFirstOptionalField;
  while (separator < count && fields[separator] != "-") ++separator;
  if (separator + kFieldsAfterSeparator >= count) {
    problems.addLine(
        line_number, line,
        separator == count
            ? std::string("no \"-\" separator before the filesystem type; line skipped")
            : fmt::format("{} fields after \"-\", need {}; line skipped", count - separator - 1,
                          kFieldsAfterSeparator));
    return false;
  }
  if (fields[kDeviceNumberField].find(':') == std::string_view::npos) {
    problems.addLine(
        line_number, line,
        fmt::format("field 3 ({:?}) is not major:minor; line skipped", fields[kDeviceNumberField]));
    return false;
  }
  const std::string_view mountpoint = fields[kMountpointField];
  if (mountpoint.empty() || mountpoint.front() != '/') {
    problems.addLine(line_number, line,
                     fmt::format("mount point {:?} is not absolute; line skipped", mountpoint));
    return false;
  }
  decodeEscapes(fields[separator + 1], mount.fstype);
  decodeEscapes(fields[separator + 2], mount.device);
  decodeEscapes(mountpoint, mount.mountpoint);
  mount.readonly =
      hasReadOnlyOption(fields[kMountOptionsField]) || hasReadOnlyOption(fields[separator + 3]);
  return true;
}

}  // namespace

void parseMountinfo(std::string_view text, std::vector<MountInfo>& mounts,
                    ParseProblems& problems) {
  size_t used = 0;
  if (trimSpace(text).empty()) {
    problems.addFile("file is empty; no mounts");
  } else {
    LineSplitter lines(text);
    std::string_view line;
    while (lines.next(line)) {
      if (trimSpace(line).empty()) continue;
      if (used == mounts.size()) mounts.emplace_back();
      if (parseLine(line, lines.lineNumber(), mounts[used], problems)) ++used;
    }
  }
  mounts.resize(used);
}

bool shouldReportMount(const MountInfo& mount, const FilesystemCollectorOptions& options) {
  if (isOneOf(mount.fstype, kPseudoTypes)) return false;
  if (isExcludedMountpoint(mount.mountpoint)) return false;
  if (isOneOf(mount.fstype, kNetworkTypes)) return options.include_network;
  if (isFuseType(mount.fstype)) return options.include_fuse;
  return true;
}

void FilesystemCollector::prepare(ReadBatch& batch) {
  if (watched_path_ != mountinfo_path_) {
    watch_.watch(resolveUnderRoot(reader_.root(), mountinfo_path_));
    watched_path_ = mountinfo_path_;
  }
  reread_ = watch_.changed() || !parsed_;
  if (reread_) batch.queueRead(mountinfo_path_, slot_);
}

std::string_view FilesystemCollector::mountinfo(std::string_view& path) {
  path = mountinfo_path_;
  if (slot_.error == 0) return slot_.data;
  if (mountinfo_path_ == kHostMountinfo) {
    // Hardening that hides PID 1 does not change between passes: switch for good.
    mountinfo_path_ = kSelfMountinfo;
    path = kSelfMountinfo;
    if (readOrLog(reader_, log_, name(), kSelfMountinfo, fallback_buffer_)) return fallback_buffer_;
  } else {
    slotOrLog(slot_, log_, name(), mountinfo_path_);
  }
  path = {};
  return {};
}

void FilesystemCollector::markDuplicates() {
  // Bind mounts and mount propagation list the same filesystem more than once; the
  // first in file order is reported. Sorting indexes (not a hash set) keeps a pass
  // free of allocations once the vectors have grown.
  auto key = [this](size_t i) { return std::tie(mounts_[i].device, mounts_[i].mountpoint); };
  std::sort(candidates_.begin(), candidates_.end(), [&](size_t a, size_t b) {
    const auto ka = key(a);
    const auto kb = key(b);
    return ka != kb ? ka < kb : a < b;
  });
  duplicate_.assign(mounts_.size(), 0);
  for (size_t i = 1; i < candidates_.size(); ++i) {
    if (key(candidates_[i]) == key(candidates_[i - 1])) duplicate_[candidates_[i]] = 1;
  }
}

void FilesystemCollector::collect(SampleWriter& out) {
  if (reread_) {
    parsed_ = false;
    std::string_view path;
    const std::string_view text = mountinfo(path);
    if (path.empty()) return;
    ParseProblems problems(name(), path);
    parseMountinfo(text, mounts_, problems);
    problems.logTo(log_);

    candidates_.clear();
    for (size_t i = 0; i < mounts_.size(); ++i) {
      if (shouldReportMount(mounts_[i], options_)) candidates_.push_back(i);
    }
    markDuplicates();
    // Back in file order: candidates_ was sorted by key.
    std::sort(candidates_.begin(), candidates_.end());
    parsed_ = true;
  }
  for (const size_t candidate : candidates_) {
    if (duplicate_[candidate] == 0) collectMount(mounts_[candidate], out);
  }
}

void FilesystemCollector::collectMount(const MountInfo& mount, SampleWriter& out) {
  stat_path_.assign(reader_.root());
  stat_path_.append(mount.mountpoint);
  FilesystemUsage usage;
  FilesystemStatter& statter = in_memory_statter_ != nullptr &&
                                       isOneOf(mount.fstype, kInMemoryUsageTypes)
                                   ? *in_memory_statter_
                                   : statter_;
  const int error = statter.statfs(stat_path_, usage);

  const LabelView labels[] = {
      {"device", mount.device}, {"fstype", mount.fstype}, {"mountpoint", mount.mountpoint}};
  out.add("node_filesystem_device_error", error == 0 ? 0 : 1, labels);
  out.add("node_filesystem_readonly", mount.readonly || (error == 0 && usage.readonly) ? 1 : 0,
          labels);
  if (error != 0) {
    // A mount that stays broken fails every pass: the key goes into a reused string
    // and the message is built only when the throttle lets it through.
    log_key_.clear();
    fmt::format_to(std::back_inserter(log_key_), "{}:statfs:{}", name(), mount.mountpoint);
    log_.warnLazily(log_key_, [&] {
      return fmt::format(
          "{}: statfs {} ({} {} on {}): {} (errno {}); "
          "node_filesystem_device_error=1 and no sizes for it",
          name(), stat_path_, mount.fstype, mount.device, mount.mountpoint, std::strerror(error),
          error);
    });
    return;
  }
  out.add("node_filesystem_size_bytes", static_cast<double>(usage.size_bytes), labels);
  out.add("node_filesystem_free_bytes", static_cast<double>(usage.free_bytes), labels);
  out.add("node_filesystem_avail_bytes", static_cast<double>(usage.avail_bytes), labels);
  out.add("node_filesystem_files", static_cast<double>(usage.files), labels);
  out.add("node_filesystem_files_free", static_cast<double>(usage.files_free), labels);
}

}  // namespace tidemark::agent
